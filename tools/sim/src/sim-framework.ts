import type { Address, HttpResponse, MemoryNetwork, Random } from '@ts-mesos/libprocess';
import { isTerminalState, type Offer, RecordIoDecoder, type SchedulerCall, type SchedulerEvent, type TaskInfo, type TaskState, type TaskStatus } from '@ts-mesos/protocol';
import { between, pick } from './seed-streams.js';
import { simTaskCommand } from './sim-machine.js';
import type { Trace } from './trace.js';

/** What a framework knows about one of its tasks. */
export interface TaskView {
  readonly id: string;
  readonly agentId: string;
  state: TaskState;
  /** A terminal state reached the framework. */
  terminal: boolean;
  /** Who told it the task ended: the agent (a status update with a uuid) or the master (without one). */
  endedBy: 'agent' | 'master' | 'refused' | undefined;
  /** The uuid of the agent's terminal update, once the framework acknowledged it. */
  ackedTerminalUuid: string | undefined;
  readonly launchedMs: number;
}

export interface SimFrameworkOptions {
  readonly name: string;
  readonly random: Random;
  readonly network: MemoryNetwork;
  readonly master: Address;
  readonly partitionAware: boolean;
  readonly trace: Trace;
  readonly now: () => number;
  /** A broken status-update rule, seen from the framework's side. */
  readonly violation: (message: string) => void;
}

export interface FrameworkCounts {
  launched: number;
  finished: number;
  failed: number;
  killed: number;
  lost: number;
  updates: number;
  acks: number;
  subscriptions: number;
  /** Kills of tasks found still STAGING by reconciliation long after their launch. */
  stagingKills: number;
}

const CPUS = [0.1, 0.2, 0.5, 1];
const MEM = [32, 64, 128, 256];
/**
 * A task still STAGING this long after its launch, as reconciliation tells, is killed: its
 * RunTask was most likely lost, and the agent answers the kill of a task it never got with
 * TASK_DROPPED (TASK_LOST). What Mesos's reconciliation guide asks of frameworks (Marathon's
 * `task_launch_timeout` does the same).
 */
const STAGING_TIMEOUT_MS = 60_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function scalar(offer: Offer, name: string): number {
  let total = 0;
  for (const r of offer.resources) if (r.name === name && r.scalar !== undefined) total += r.scalar.value;
  return total;
}

function shortUuid(uuid: string | undefined): string {
  return uuid === undefined ? '-' : uuid.slice(0, 6);
}

/**
 * A scheduler driving the master through the v1 Scheduler HTTP API, in process: SUBSCRIBE
 * opens a RecordIO event stream; it accepts offers with short `sim-task` commands (seeded
 * run time and exit status), declines the rest, acknowledges every update that carries a
 * uuid, kills a task now and then, reconciles after each (re)subscription, and subscribes
 * again with its framework ID (a failover) whenever its stream ends.
 */
export class SimFramework {
  frameworkId: string | undefined;
  status: 'down' | 'subscribing' | 'subscribed' = 'down';
  /** Accept offers with new tasks (off during the final drain). */
  launching = true;
  readonly tasks = new Map<string, TaskView>();
  /** Every agent-made update uuid the framework received. */
  readonly receivedUuids = new Set<string>();
  readonly acked = new Set<string>();
  readonly counts: FrameworkCounts = { launched: 0, finished: 0, failed: 0, killed: 0, lost: 0, updates: 0, acks: 0, subscriptions: 0, stagingKills: 0 };
  private streamId: string | undefined;
  private connection: AbortController | undefined;
  private downUntilMs = 0;
  private nextTask = 0;

  constructor(private readonly options: SimFrameworkOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** Called every step: subscribe again once the back-off has passed. */
  tick(): void {
    if (this.status === 'down' && this.options.now() >= this.downUntilMs) this.subscribe().catch((error: unknown) => this.down(`subscribe failed: ${String(error)}`));
  }

  /** Drops the connection (a scheduler crash or a network cut); it comes back after `forMs`. */
  disconnect(reason: string, forMs: number): void {
    if (this.status === 'down') return;
    this.down(reason);
    this.downUntilMs = this.options.now() + forMs;
  }

  private down(reason: string): void {
    const connection = this.connection;
    this.connection = undefined;
    this.streamId = undefined;
    if (this.status !== 'down') this.trace(`disconnected: ${reason}`);
    this.status = 'down';
    this.downUntilMs = this.options.now() + between(this.options.random, 200, 3000);
    connection?.abort();
  }

  private trace(text: string): void {
    this.options.trace.add(this.options.name, text);
  }

  private async subscribe(): Promise<void> {
    this.status = 'subscribing';
    const connection = new AbortController();
    this.connection = connection;
    const call = {
      type: 'SUBSCRIBE',
      ...(this.frameworkId === undefined ? {} : { framework_id: { value: this.frameworkId } }),
      subscribe: {
        framework_info: {
          user: 'sim',
          name: this.options.name,
          ...(this.frameworkId === undefined ? {} : { id: { value: this.frameworkId } }),
          // Long enough that no framework is removed while it reconnects.
          failover_timeout: 7 * 24 * 3600,
          capabilities: this.options.partitionAware ? [{ type: 'PARTITION_AWARE' }] : [],
        },
      },
    };
    const response = await this.options.network
      .request(this.options.master, this.httpRequest(call, undefined, connection.signal))
      .catch((error: unknown): HttpResponse => ({ status: 503, body: error instanceof Error ? error.message : String(error) }));
    if (this.connection !== connection) return;
    if (response.status !== 200 || response.body === undefined || typeof response.body === 'string' || response.body instanceof Uint8Array) {
      this.down(`SUBSCRIBE answered ${response.status}${typeof response.body === 'string' ? `: ${response.body}` : ''}`);
      return;
    }
    this.streamId = response.headers?.['mesos-stream-id'];
    await this.read(response.body, connection);
  }

  private async read(body: AsyncIterable<string | Uint8Array>, connection: AbortController): Promise<void> {
    const records = new RecordIoDecoder();
    for await (const chunk of body) {
      if (this.connection !== connection) break;
      for (const record of records.decode(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)) {
        if (this.connection !== connection) break;
        this.event(JSON.parse(decoder.decode(record)) as SchedulerEvent);
      }
    }
    if (this.connection === connection) this.down('event stream ended');
  }

  private event(event: SchedulerEvent): void {
    switch (event.type) {
      case 'SUBSCRIBED': {
        const id = event.subscribed!.framework_id.value;
        this.trace(this.frameworkId === undefined ? `subscribed as ${id}` : `re-subscribed as ${id}`);
        this.frameworkId = id;
        this.status = 'subscribed';
        this.counts.subscriptions++;
        this.reconcile();
        break;
      }
      case 'OFFERS':
        for (const offer of event.offers!.offers) this.offer(offer);
        break;
      case 'UPDATE':
        this.update(event.update!.status);
        break;
      case 'ERROR':
        this.trace(`error event: ${event.error?.message ?? ''}`);
        break;
      default:
        break;
    }
  }

  /** Explicit reconciliation of every task not known to have ended (docs/reconciliation.md). */
  reconcile(): void {
    if (this.status !== 'subscribed') return;
    const open = [...this.tasks.values()].filter((t) => !t.terminal);
    if (open.length === 0) return;
    this.call({ type: 'RECONCILE', reconcile: { tasks: open.map((t) => ({ task_id: { value: t.id }, agent_id: { value: t.agentId } })) } });
  }

  private offer(offer: Offer): void {
    const random = this.options.random;
    let cpus = scalar(offer, 'cpus');
    let mem = scalar(offer, 'mem');
    const wanted = this.launching && random.next() < 0.8 ? between(random, 1, 3) : 0;
    const taskInfos: TaskInfo[] = [];
    for (let i = 0; i < wanted; i++) {
      const c = pick(random, CPUS);
      const m = pick(random, MEM);
      if (c > cpus + 1e-9 || m > mem) break;
      cpus -= c;
      mem -= m;
      const id = `${this.options.name}-t${this.nextTask++}`;
      const runMs = between(random, 300, 8000);
      const exitCode = random.next() < 0.85 ? 0 : 1;
      taskInfos.push({
        name: id,
        task_id: { value: id },
        agent_id: offer.agent_id,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: c } },
          { name: 'mem', type: 'SCALAR', scalar: { value: m } },
        ],
        command: { value: simTaskCommand(runMs, exitCode) },
      });
    }
    if (taskInfos.length === 0) {
      this.call({ type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 1 } } });
      return;
    }
    for (const task of taskInfos) {
      this.tasks.set(task.task_id.value, { id: task.task_id.value, agentId: offer.agent_id.value, state: 'TASK_STAGING', terminal: false, endedBy: undefined, ackedTerminalUuid: undefined, launchedMs: this.options.now() });
      this.counts.launched++;
    }
    this.trace(`accept ${offer.id.value} on ${offer.agent_id.value}: launch ${taskInfos.map((t) => t.task_id.value).join(', ')}`);
    this.call({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }], filters: { refuse_seconds: 1 } } }, (status) => {
      // Refused outright (the stream moved on): no task of the call was launched.
      for (const task of taskInfos) this.refused(task.task_id.value, `ACCEPT answered ${status}`);
    });
  }

  private refused(taskId: string, why: string): void {
    const view = this.tasks.get(taskId);
    if (view === undefined || view.terminal) return;
    view.terminal = true;
    view.endedBy = 'refused';
    this.trace(`task ${taskId} not launched: ${why}`);
  }

  /** Kills one running task, chosen by the seed. */
  killOne(): void {
    if (this.status !== 'subscribed') return;
    const open = [...this.tasks.values()].filter((t) => !t.terminal && t.state === 'TASK_RUNNING');
    if (open.length === 0) return;
    const task = pick(this.options.random, open);
    this.trace(`kill ${task.id}`);
    this.call({ type: 'KILL', kill: { task_id: { value: task.id }, agent_id: { value: task.agentId } } });
  }

  private update(status: TaskStatus): void {
    const taskId = status.task_id.value;
    const uuid = status.uuid;
    const view = this.tasks.get(taskId);
    this.counts.updates++;
    const duplicate = uuid !== undefined && this.receivedUuids.has(uuid);
    this.trace(`update ${taskId} ${status.state} ${uuid === undefined ? 'from master' : `uuid ${shortUuid(uuid)}`}${duplicate ? ' (duplicate)' : ''}${status.reason === undefined ? '' : ` ${status.reason}`}`);
    if (uuid !== undefined) {
      this.receivedUuids.add(uuid);
      if (view?.ackedTerminalUuid !== undefined && view.ackedTerminalUuid !== uuid && !this.acked.has(uuid)) {
        this.options.violation(`${this.options.name} got a new update ${status.state} (uuid ${shortUuid(uuid)}) for task '${taskId}' after acknowledging its terminal update (uuid ${shortUuid(view.ackedTerminalUuid)})`);
      }
    }
    if (view !== undefined && !view.terminal && uuid === undefined && status.state === 'TASK_STAGING' && status.reason === 'REASON_RECONCILIATION' && this.options.now() - view.launchedMs > STAGING_TIMEOUT_MS) {
      this.counts.stagingKills++;
      this.trace(`kill ${taskId}: still STAGING ${Math.round((this.options.now() - view.launchedMs) / 1000)} s after its launch`);
      this.call({ type: 'KILL', kill: { task_id: status.task_id, agent_id: { value: view.agentId } } });
    }
    if (view !== undefined && !view.terminal) {
      view.state = status.state;
      if (isTerminalState(status.state)) {
        view.terminal = true;
        view.endedBy = uuid === undefined ? 'master' : 'agent';
        this.countEnd(status.state);
      }
    }
    if (uuid !== undefined && status.agent_id !== undefined) {
      if (view !== undefined && isTerminalState(status.state) && view.endedBy === 'agent' && view.ackedTerminalUuid === undefined) view.ackedTerminalUuid = uuid;
      this.acked.add(uuid);
      this.counts.acks++;
      this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid } });
    }
  }

  private countEnd(state: TaskState): void {
    if (state === 'TASK_FINISHED') this.counts.finished++;
    else if (state === 'TASK_FAILED') this.counts.failed++;
    else if (state === 'TASK_KILLED') this.counts.killed++;
    else this.counts.lost++;
  }

  private call(body: Omit<SchedulerCall, 'framework_id'> & Record<string, unknown>, refused?: (status: number) => void): void {
    const frameworkId = this.frameworkId;
    const streamId = this.streamId;
    if (this.status !== 'subscribed' || frameworkId === undefined) {
      refused?.(0);
      return;
    }
    const call = { ...body, framework_id: { value: frameworkId } };
    this.options.network.request(this.options.master, this.httpRequest(call, streamId, undefined)).then(
      (response) => {
        if (response.status === 202) return;
        this.trace(`${String(body.type)} answered ${response.status}${typeof response.body === 'string' ? `: ${response.body}` : ''}`);
        refused?.(response.status);
      },
      (error: unknown) => {
        this.trace(`${String(body.type)} failed: ${error instanceof Error ? error.message : String(error)}`);
        refused?.(0);
      },
    );
  }

  private httpRequest(call: unknown, streamId: string | undefined, signal: AbortSignal | undefined) {
    return {
      method: 'POST',
      path: '/master/api/v1/scheduler',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(streamId === undefined ? {} : { 'mesos-stream-id': streamId }) },
      body: encoder.encode(JSON.stringify(call)),
      ...(signal === undefined ? {} : { signal }),
    };
  }
}
