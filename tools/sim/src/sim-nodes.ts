import { AgentProcess, type JournalRecord } from '@ts-mesos/agent';
import { HierarchicalAllocator } from '@ts-mesos/allocator';
import { type Address, type MemoryNetwork, Runtime, type Pid, Upid, type VirtualClock } from '@ts-mesos/libprocess';
import { MasterProcess, masterInfo, MemoryRegistry, MESOS_API_VERSION } from '@ts-mesos/master';
import { isTerminalState, type TaskState } from '@ts-mesos/protocol';
import { FaultyTransport, type SendObserver } from './faulty-transport.js';
import { MemoryAgentJournal } from './memory-agent-journal.js';
import type { NetworkFaults } from './network-faults.js';
import type { ProducedUpdate } from './invariants.js';
import { SimContainerizer } from './sim-containerizer.js';
import { SimLogger } from './sim-logger.js';
import { SimMachine } from './sim-machine.js';
import { bytesFrom, type SeedStreams, uuidFrom } from './seed-streams.js';
import type { Trace } from './trace.js';

/** What every simulated node needs from the simulation. */
export interface NodeContext {
  readonly network: MemoryNetwork;
  readonly clock: VirtualClock;
  readonly faults: NetworkFaults;
  readonly streams: SeedStreams;
  readonly trace: Trace;
  /** A broken rule seen as it happens (an agent re-sending an acknowledged update). */
  readonly violation: (message: string) => void;
}

/** Master timings, shortened from Mesos's defaults so that a run sees many timeouts. */
export const MASTER_TIMINGS = {
  allocationIntervalMs: 1000,
  agentPingTimeoutMs: 5000,
  maxAgentPingTimeouts: 3,
  agentReregisterTimeoutMs: 60_000,
  offerTimeoutMs: 30_000,
} as const;

/** A runtime on the simulated network, faults on its way out. */
function simRuntime(context: NodeContext, address: Address, node: string, delegate: string, observe?: SendObserver): Runtime {
  const transport = new FaultyTransport(context.network.transport(address.host, address.port), context.network, context.faults, context.clock, observe);
  return new Runtime({
    transport,
    clock: context.clock,
    random: context.streams.random(`${node}-runtime`),
    logger: new SimLogger(context.trace, node),
    delegate,
    sliceMs: Infinity,
  });
}

/**
 * The master: `MasterProcess` with the hierarchical allocator, as in production, on the
 * simulated network. Its in-memory registry outlives a crash; each incarnation gets a new
 * master ID (as a restarted Mesos master does), so framework IDs stay unique.
 */
export class MasterNode {
  readonly registry = new MemoryRegistry();
  runtime: Runtime | undefined;
  process: MasterProcess | undefined;
  incarnation = 0;
  /** Crashed; comes back at this virtual time. */
  downUntilMs: number | undefined;

  constructor(
    private readonly context: NodeContext,
    readonly address: Address,
  ) {}

  get name(): string {
    return 'master';
  }

  get pid(): Upid {
    return Upid.at('master', this.address);
  }

  get up(): boolean {
    return this.runtime !== undefined;
  }

  async start(): Promise<void> {
    this.incarnation++;
    const node = `master-${this.incarnation}`;
    const runtime = simRuntime(this.context, this.address, 'master', 'master');
    await runtime.start();
    const random = this.context.streams.random(node);
    const process = new MasterProcess({
      info: masterInfo(`sim-m${this.incarnation}`, this.address.host, this.address.port, 'master', MESOS_API_VERSION),
      registry: this.registry,
      allocator: new HierarchicalAllocator({ seed: this.context.streams.random(`${node}-allocator`).int(2 ** 31) }),
      allocationIntervalMs: MASTER_TIMINGS.allocationIntervalMs,
      offerTimeoutMs: MASTER_TIMINGS.offerTimeoutMs,
      agentPingTimeoutMs: MASTER_TIMINGS.agentPingTimeoutMs,
      maxAgentPingTimeouts: MASTER_TIMINGS.maxAgentPingTimeouts,
      agentReregisterTimeoutMs: MASTER_TIMINGS.agentReregisterTimeoutMs,
      maxCompletedTasksPerFramework: 1000,
      maxCompletedFrameworks: 50,
      heartbeatIntervalSeconds: 15,
      flags: {},
      version: MESOS_API_VERSION,
      uuid: uuidFrom(random),
      onFatal: (message) => this.context.trace.add('master', `fatal: ${message}`),
    });
    runtime.spawn(process);
    this.runtime = runtime;
    this.process = process;
    this.downUntilMs = undefined;
    this.context.trace.add('master', `started (incarnation ${this.incarnation}, registry: ${this.registry.recover().admitted.size} agents)`);
  }

  /** Stops the master at once: its streams end, its agents see the connection drop. */
  async crash(downForMs: number): Promise<void> {
    const runtime = this.runtime;
    if (runtime === undefined) return;
    this.runtime = undefined;
    this.process = undefined;
    this.downUntilMs = this.context.clock.now() + downForMs;
    this.context.trace.add('master', `crashed (back in ${downForMs} ms)`);
    await runtime.stop();
  }
}

/** Resources of every simulated agent. */
export const AGENT_RESOURCES = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31099 }] } },
] as const;

/**
 * An agent host: the real `AgentProcess` with a simulated containerizer on a `SimMachine`
 * and an in-memory journal. The machine and the journal outlive a crash of the agent
 * process; a reboot also loses the machine's containers. The node keeps a ledger of the
 * terminal updates its agent produced and the acknowledgements it checkpointed.
 */
export class AgentNode {
  readonly machine: SimMachine;
  readonly journal: MemoryAgentJournal;
  runtime: Runtime | undefined;
  process: AgentProcess | undefined;
  pid: Pid<AgentProcess> | undefined;
  incarnation = 0;
  downUntilMs: number | undefined;
  /** Update uuids whose acknowledgement this agent checkpointed. */
  readonly acked = new Set<string>();
  /** Terminal updates produced and not yet seen by their framework, by uuid. */
  readonly produced = new Map<string, ProducedUpdate>();
  private readonly statusUpdateName: string;

  constructor(
    private readonly context: NodeContext,
    readonly name: string,
    readonly address: Address,
    private readonly master: Upid,
    private readonly workDir: string,
    statusUpdateName: string,
  ) {
    this.statusUpdateName = statusUpdateName;
    this.machine = new SimMachine(name, context.clock, context.streams.random(`${name}-machine`), { launchFailureProbability: 0.02, maxLaunchDelayMs: 300 });
    this.journal = new MemoryAgentJournal(name, (record) => this.journaled(record));
  }

  get up(): boolean {
    return this.runtime !== undefined;
  }

  private journaled(record: JournalRecord): void {
    if (record.k === 'ack') this.acked.add(record.uuid);
    else if (record.k === 'update' && isTerminalState(record.update.status.state)) {
      const u = record.update;
      const reconciliation = u.status.reason === 'REASON_RECONCILIATION';
      this.produced.set(u.uuid, { agent: this.name, uuid: u.uuid, frameworkId: u.framework_id.value, taskId: u.status.task_id.value, state: u.status.state, reconciliation });
    }
  }

  /** Every status update leaving this agent: one already acknowledged must never go out again. */
  private sent: SendObserver = (_to, _fromId, _toId, name, body) => {
    if (name !== this.statusUpdateName) return;
    const uuid = (body as { uuid?: string }).uuid;
    if (uuid !== undefined && this.acked.has(uuid)) {
      const status = (body as { status?: { task_id?: { value?: string }; state?: string } }).status;
      this.context.violation(`${this.name} re-sent status update ${status?.state ?? '?'} (uuid ${uuid.slice(0, 6)}) of task '${status?.task_id?.value ?? '?'}' after it checkpointed its acknowledgement`);
    }
  };

  async start(): Promise<void> {
    this.incarnation++;
    const node = `${this.name}-${this.incarnation}`;
    const runtime = simRuntime(this.context, this.address, this.name, 'slave(1)', this.sent);
    await runtime.start();
    const random = this.context.streams.random(node);
    const recovered = this.journal.recoverAgentInfo();
    const process = new AgentProcess({
      master: this.master,
      workDir: this.workDir,
      info: {
        hostname: this.name,
        port: this.address.port,
        resources: this.journal.recoverResources() ?? (AGENT_RESOURCES as unknown as NonNullable<ConstructorParameters<typeof AgentProcess>[0]['info']['resources']>),
        ...(recovered?.id === undefined ? {} : { id: recovered.id }),
      },
      containerizer: new SimContainerizer(this.machine, this.context.clock),
      journal: this.journal,
      registrationBackoffMs: 1000,
      killGracePeriodMs: 2000,
      statusRetryMinMs: 2000,
      uuid: uuidFrom(random),
      randomBytes: bytesFrom(random),
      onShutdown: (message) => this.context.trace.add(this.name, `asked to shut down: ${message}`),
    });
    this.pid = runtime.spawn(process);
    this.runtime = runtime;
    this.process = process;
    this.downUntilMs = undefined;
    this.context.trace.add(this.name, `started (incarnation ${this.incarnation}${recovered?.id === undefined ? '' : `, recovering ${recovered.id.value}`}, ${this.machine.running().length} containers running)`);
  }

  /** Kills the agent process; with `reboot`, the host goes down too and its containers with it. */
  async crash(downForMs: number, reboot: boolean): Promise<void> {
    const runtime = this.runtime;
    if (runtime === undefined) return;
    this.runtime = undefined;
    this.process = undefined;
    this.pid = undefined;
    this.downUntilMs = this.context.clock.now() + downForMs;
    const lost = reboot ? this.machine.reboot() : 0;
    this.context.trace.add(this.name, reboot ? `host rebooted, ${lost} containers lost (back in ${downForMs} ms)` : `agent process crashed (back in ${downForMs} ms)`);
    await runtime.stop();
  }

  /**
   * The agent process runs more than its total: Mesos allows this for a while after a partition,
   * when the master has reported a framework's tasks lost and offered their resources again, and
   * the agent, back, is still killing them. Counted, not failed.
   */
  overcommitted(): boolean {
    const metrics = this.process?.metrics();
    if (metrics === undefined) return false;
    return ['cpus', 'mem'].some((name) => (metrics[`slave/${name}_used`] ?? 0) > (metrics[`slave/${name}_total`] ?? 0) + 1e-9);
  }

  /** `frameworkId/taskId` -> state, as this agent process knows its tasks. */
  taskStates(): Record<string, TaskState> {
    return this.process?.taskStates() ?? {};
  }
}
