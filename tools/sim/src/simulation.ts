import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryNetwork, type Runtime, type SeededRandom, VirtualClock } from '@ts-mesos/libprocess';
import { messageName, type TaskState } from '@ts-mesos/protocol';
import { type AgentBooks, checkAgentBooks, checkLiveness } from './invariants.js';
import { type MessageFaultRates, NetworkFaults } from './network-faults.js';
import { AgentNode, MasterNode, type NodeContext } from './sim-nodes.js';
import { SimFramework } from './sim-framework.js';
import { between, pick, SeedStreams } from './seed-streams.js';
import { Trace } from './trace.js';

export interface SimOptions {
  readonly seed: number;
  readonly steps: number;
  readonly agents?: number;
  readonly frameworks?: number;
  /** Virtual time one step covers. */
  readonly stepMs?: number;
  /** Steps of each storm (faults on), then of each calm (faults off, liveness checked at its end). */
  readonly stormSteps?: number;
  readonly calmSteps?: number;
  /** false: no faults at all (a baseline). */
  readonly faults?: boolean;
  /**
   * Beyond what TCP allows: dropped messages vanish without breaking their connection, and any
   * message (not only those their sender retries) may be duplicated or overtaken.
   */
  readonly chaos?: boolean;
  readonly rates?: MessageFaultRates;
  /** Chance per storm step of a node fault: a crash, a reboot, a partition, a disconnect. */
  readonly nodeFaultChance?: number;
  /** Breaks an invariant on purpose (tests prove the checker catches it). */
  readonly sabotage?: 'double-offer';
  /** Every trace line as it is written. */
  readonly echo?: (line: string) => void;
  readonly progress?: (progress: SimProgress) => void;
  readonly progressEvery?: number;
}

export interface SimProgress {
  readonly step: number;
  readonly steps: number;
  readonly virtualS: number;
  readonly tasksFinished: number;
  readonly faultsInjected: number;
}

export interface SimViolation {
  readonly seed: number;
  readonly step: number;
  readonly virtualS: number;
  readonly problems: readonly string[];
  /** The last trace lines before it, oldest first. */
  readonly recent: readonly string[];
}

export interface SimResult {
  readonly figures: Record<string, number | string | boolean>;
  readonly violation: SimViolation | undefined;
  readonly traceHash: string;
}

/** Where virtual time starts (a plausible epoch, so timestamps look like times); traces count from it. */
const EPOCH_MS = 1_700_000_000_000;
const DEFAULT_RATES: MessageFaultRates = { drop: 0.01, delay: 0.03, duplicate: 0.01, reorder: 0.01 };
/** Longer than the agent's longest status update retry interval (10 min) and registration back-off (1 min). */
const DRAIN_LIMIT_MS = 15 * 60_000;

class InvariantBroken extends Error {
  readonly _tag = 'InvariantBroken';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

interface NodeFaultCounts {
  agentCrashes: number;
  agentReboots: number;
  masterCrashes: number;
  partitions: number;
  frameworkDisconnects: number;
}

/**
 * A whole cluster in one process: one master (restarted with its registry, since several
 * masters need ZooKeeper's election), agents and frameworks on a `MemoryNetwork` and one
 * `VirtualClock`, every choice drawn from the seed. Steps alternate storms (seeded message
 * and node faults) and calms (no faults; at their end every task must have settled). After
 * every step the safety invariants are checked against the master's books.
 */
export class Simulation {
  readonly clock = new VirtualClock(EPOCH_MS);
  readonly trace: Trace;
  private readonly options: Required<Omit<SimOptions, 'sabotage' | 'echo' | 'progress'>> & Pick<SimOptions, 'sabotage' | 'progress'>;
  private readonly streams: SeedStreams;
  private readonly network = new MemoryNetwork();
  private readonly faults: NetworkFaults;
  private readonly random: SeededRandom;
  private readonly master: MasterNode;
  private readonly agents: AgentNode[] = [];
  private readonly frameworks: SimFramework[] = [];
  /** Partitioned agents (from the master), healed at the time given. */
  private readonly partitions = new Map<AgentNode, number>();
  private readonly seen: string[] = [];
  private readonly nodeFaults: NodeFaultCounts = { agentCrashes: 0, agentReboots: 0, masterCrashes: 0, partitions: 0, frameworkDisconnects: 0 };
  private readonly workDir: string;
  private step = 0;
  private stepsRun = 0;
  private drainSteps = 0;
  private invariantChecks = 0;
  /** Steps in which some agent ran tasks beyond its total (allowed while it kills tasks its master already reported lost). */
  private agentOvercommittedSteps = 0;
  private livenessChecks = 0;
  private sabotaged = false;

  constructor(options: SimOptions) {
    this.options = {
      agents: 4,
      frameworks: 3,
      stepMs: 500,
      stormSteps: 240,
      calmSteps: 60,
      faults: true,
      chaos: false,
      rates: DEFAULT_RATES,
      nodeFaultChance: 0.04,
      progressEvery: 1000,
      ...options,
    };
    this.streams = new SeedStreams(options.seed);
    this.random = this.streams.random('simulation');
    this.trace = new Trace(() => this.clock.now() - EPOCH_MS, () => this.step, 200, options.echo);
    this.faults = new NetworkFaults(this.streams.random('network'), this.options.rates, this.options.chaos);
    // The agent creates each task's sandbox directory for real; in memory (tmpfs) when the host has one.
    this.workDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'ts-mesos-sim-'));
    const context: NodeContext = {
      network: this.network,
      clock: this.clock,
      faults: this.faults,
      streams: this.streams,
      trace: this.trace,
      violation: (message) => this.seen.push(message),
    };
    this.master = new MasterNode(context, { host: '10.0.0.1', port: 5050 });
    const statusUpdate = messageName('StatusUpdate');
    for (let i = 0; i < this.options.agents; i++) {
      const name = `agent-${i + 1}`;
      this.agents.push(new AgentNode(context, name, { host: `10.0.1.${i + 1}`, port: 5051 }, this.master.pid, join(this.workDir, name), statusUpdate));
    }
    for (let i = 0; i < this.options.frameworks; i++) {
      const name = `fw-${i + 1}`;
      this.frameworks.push(
        new SimFramework({
          name,
          random: this.streams.random(name),
          network: this.network,
          master: this.master.address,
          partitionAware: i % 2 === 1,
          trace: this.trace,
          now: () => this.clock.now(),
          violation: (message) => this.seen.push(message),
        }),
      );
    }
  }

  async run(): Promise<SimResult> {
    const started = performance.now();
    let violation: SimViolation | undefined;
    try {
      await this.master.start();
      for (const agent of this.agents) await agent.start();
      for (this.step = 1; this.step <= this.options.steps; this.step++) {
        await this.runStep();
        this.stepsRun = this.step;
        if (this.options.progress !== undefined && this.step % this.options.progressEvery === 0) this.options.progress(this.progress());
      }
      this.step = this.options.steps;
      await this.calm();
      await this.drain();
    } catch (error) {
      if (!(error instanceof InvariantBroken)) throw error;
      violation = { seed: this.options.seed, step: this.step, virtualS: this.virtualS(), problems: error.problems, recent: this.trace.recent() };
    } finally {
      await this.tearDown();
    }
    const traceHash = this.trace.digest();
    return { figures: this.figures(performance.now() - started, traceHash, violation === undefined), violation, traceHash };
  }

  private virtualS(): number {
    return Math.round((this.clock.now() - EPOCH_MS) / 1000);
  }

  private async runStep(): Promise<void> {
    const cycle = this.options.stormSteps + this.options.calmSteps;
    const at = (this.step - 1) % cycle;
    const storm = at < this.options.stormSteps;
    if (at === 0) this.storm();
    if (at === this.options.stormSteps) await this.calm();
    await this.recoverDue();
    if (storm && this.options.faults) await this.injectNodeFault();
    if (this.options.sabotage === 'double-offer' && !this.sabotaged) this.duplicateAnOffer();
    this.frameworkActions();
    await this.advance(this.options.stepMs);
    this.checkSafety();
    if (at === cycle - 1) await this.drain();
  }

  private storm(): void {
    this.faults.enabled = this.options.faults;
    this.trace.add('sim', this.options.faults ? 'storm: faults on' : 'storm (faults disabled)');
  }

  /** Faults stop: partitions heal, crashed nodes come back, frameworks reconnect. */
  private async calm(): Promise<void> {
    this.faults.enabled = false;
    this.trace.add('sim', 'calm: faults off, partitions healed, every node restarted');
    for (const agent of [...this.partitions.keys()]) this.heal(agent);
    if (!this.master.up) await this.master.start();
    for (const agent of this.agents) if (!agent.up) await agent.start();
  }

  private async recoverDue(): Promise<void> {
    const now = this.clock.now();
    for (const [agent, healAt] of [...this.partitions]) if (healAt <= now) this.heal(agent);
    if (!this.master.up && this.master.downUntilMs !== undefined && this.master.downUntilMs <= now) await this.master.start();
    for (const agent of this.agents) if (!agent.up && agent.downUntilMs !== undefined && agent.downUntilMs <= now) await agent.start();
  }

  private heal(agent: AgentNode): void {
    this.partitions.delete(agent);
    this.network.heal(this.master.address, agent.address);
    this.trace.add('faults', `partition master | ${agent.name} healed`);
  }

  private async injectNodeFault(): Promise<void> {
    const random = this.random;
    if (random.next() >= this.options.nodeFaultChance) return;
    // Weights: agent crash 3, host reboot 1, master crash 2, partition 3, framework disconnect 2.
    const roll = random.next() * 11;
    const upAgents = this.agents.filter((a) => a.up);
    if (roll < 3) {
      if (upAgents.length === 0) return;
      this.nodeFaults.agentCrashes++;
      await pick(random, upAgents).crash(between(random, 1000, 30_000), false);
    } else if (roll < 4) {
      if (upAgents.length === 0) return;
      this.nodeFaults.agentReboots++;
      await pick(random, upAgents).crash(between(random, 5000, 30_000), true);
    } else if (roll < 6) {
      if (!this.master.up) return;
      this.nodeFaults.masterCrashes++;
      await this.master.crash(between(random, 1000, 15_000));
    } else if (roll < 9) {
      const candidates = this.agents.filter((a) => !this.partitions.has(a));
      if (candidates.length === 0) return;
      const agent = pick(random, candidates);
      const forMs = between(random, 2000, 40_000);
      this.partitions.set(agent, this.clock.now() + forMs);
      this.network.partition(this.master.address, agent.address);
      this.nodeFaults.partitions++;
      this.trace.add('faults', `partition master | ${agent.name} for ${forMs} ms`);
    } else {
      const connected = this.frameworks.filter((f) => f.status === 'subscribed');
      if (connected.length === 0) return;
      const framework = pick(random, connected);
      this.nodeFaults.frameworkDisconnects++;
      framework.disconnect('injected disconnect', between(random, 200, 10_000));
    }
  }

  private frameworkActions(): void {
    for (const framework of this.frameworks) {
      framework.tick();
      if (this.random.next() < 0.03) framework.killOne();
      if (this.step % 40 === 0) framework.reconcile();
    }
  }

  /** Moves virtual time on, one due timer at a time, letting all work settle after each. */
  private async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    await this.settle();
    for (;;) {
      const due = this.clock.nextDue();
      if (due === undefined || due > end) break;
      this.clock.advanceTo(due);
      await this.settle();
    }
    this.clock.advanceTo(end);
    await this.settle();
  }

  private runtimes(): Runtime[] {
    const all: Runtime[] = [];
    if (this.master.runtime !== undefined) all.push(this.master.runtime);
    for (const agent of this.agents) if (agent.runtime !== undefined) all.push(agent.runtime);
    return all;
  }

  /**
   * Until no runtime has work left. Nothing here waits on real I/O, so one turn of the event
   * loop runs every promise reaction (the runtimes' pumps, the frameworks' stream readers);
   * it takes another turn only while some mailbox still holds events.
   */
  private async settle(): Promise<void> {
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.runtimes().some((runtime) => runtime.queuedEvents > 0));
  }

  // ---------------------------------------------------------------- invariants

  private fail(problems: readonly string[]): never {
    for (const problem of problems) this.trace.add('INVARIANT', problem);
    throw new InvariantBroken(problems);
  }

  /** Safety, after every step: the master's books, the offers' indexes, the status update rules, one leader. */
  checkSafety(): void {
    this.invariantChecks++;
    const problems = this.seen.splice(0);
    const leaders = [this.master].filter((m) => m.runtime?.hosts(m.pid) === true).length;
    if (leaders > 1) problems.push(`${leaders} masters act as the leader`);
    const core = this.master.process?.core;
    if (core !== undefined) {
      const offersByAgent = new Map<string, AgentBooks['offers'][number][]>();
      for (const offer of core.offers.values()) {
        const agent = core.agents.get(offer.agentId);
        const framework = core.frameworks.get(offer.frameworkId);
        if (agent === undefined) problems.push(`Offer '${offer.id}' is on agent '${offer.agentId}', which the master does not know`);
        else if (!agent.offers.has(offer.id)) problems.push(`Offer '${offer.id}' is missing from agent '${offer.agentId}''s offers`);
        if (framework === undefined) problems.push(`Offer '${offer.id}' is to framework '${offer.frameworkId}', which the master does not know`);
        else if (!framework.offers.has(offer.id)) problems.push(`Offer '${offer.id}' is missing from framework '${offer.frameworkId}''s offers`);
        let list = offersByAgent.get(offer.agentId);
        if (list === undefined) offersByAgent.set(offer.agentId, (list = []));
        list.push({ id: offer.id, frameworkId: offer.frameworkId, resources: offer.resources });
      }
      for (const agent of core.agents.values()) {
        for (const id of agent.offers) if (!core.offers.has(id)) problems.push(`Agent '${agent.id}' lists offer '${id}', which is no longer outstanding`);
        const tasks = [...agent.tasks.values()].filter((t) => !t.recovered).map((t) => ({ key: `${t.frameworkId}/${t.task.task_id.value}`, resources: t.resources }));
        problems.push(...checkAgentBooks({ agentId: agent.id, total: agent.total, tasks, offers: offersByAgent.get(agent.id) ?? [] }));
      }
    }
    if (problems.length > 0) this.fail(problems);
    if (this.agents.some((agent) => agent.overcommitted())) this.agentOvercommittedSteps++;
  }

  /** Liveness: with faults off, runs on until every task has settled, or fails after `DRAIN_LIMIT_MS`. */
  private async drain(): Promise<void> {
    const deadline = this.clock.now() + DRAIN_LIMIT_MS;
    for (const framework of this.frameworks) framework.launching = false;
    for (let round = 0; ; round++) {
      this.livenessChecks++;
      const problems = this.liveness();
      if (problems.length === 0) break;
      if (this.clock.now() >= deadline) this.fail(problems);
      for (const framework of this.frameworks) {
        framework.tick();
        if (round % 20 === 19) framework.reconcile();
      }
      await this.advance(this.options.stepMs);
      this.drainSteps++;
      this.checkSafety();
    }
    for (const framework of this.frameworks) framework.launching = true;
    this.trace.add('sim', 'liveness: every task settled, every terminal update delivered');
  }

  private liveness(): string[] {
    const agentTasks = new Map<string, TaskState>();
    for (const agent of this.agents) for (const [key, state] of Object.entries(agent.taskStates())) agentTasks.set(key, state);
    const byId = new Map(this.frameworks.filter((f) => f.frameworkId !== undefined).map((f) => [f.frameworkId!, f]));
    // Updates their framework has seen cannot become lost again: forget them.
    for (const agent of this.agents) {
      for (const [uuid, update] of agent.produced) if (byId.get(update.frameworkId)?.receivedUuids.has(uuid) === true) agent.produced.delete(uuid);
    }
    return checkLiveness({
      frameworks: this.frameworks.map((f) => ({ name: f.name, frameworkId: f.frameworkId, tasks: f.tasks, receivedUuids: f.receivedUuids })),
      agentTasks,
      produced: this.agents.flatMap((a) => [...a.produced.values()]),
    });
  }

  /** Sabotage for tests: a second offer of resources that are already on offer. */
  private duplicateAnOffer(): void {
    const core = this.master.process?.core;
    const offer = core === undefined ? undefined : [...core.offers.values()][0];
    if (core === undefined || offer === undefined) return;
    const copy = { ...offer, id: `${offer.id}-copy` };
    core.offers.set(copy.id, copy);
    core.agents.get(copy.agentId)?.offers.add(copy.id);
    core.frameworks.get(copy.frameworkId)?.offers.add(copy.id);
    this.sabotaged = true;
    this.trace.add('sabotage', `offered ${offer.resources.toString()} of '${offer.agentId}' twice ('${offer.id}', '${copy.id}')`);
  }

  // ---------------------------------------------------------------- figures

  private tasksFinished(): number {
    return this.frameworks.reduce((n, f) => n + f.counts.finished, 0);
  }

  private faultsInjected(): number {
    const n = this.nodeFaults;
    return this.faults.total + n.agentCrashes + n.agentReboots + n.masterCrashes + n.partitions + n.frameworkDisconnects;
  }

  private progress(): SimProgress {
    return { step: this.step, steps: this.options.steps, virtualS: this.virtualS(), tasksFinished: this.tasksFinished(), faultsInjected: this.faultsInjected() };
  }

  private figures(wallMs: number, traceHash: string, ok: boolean): Record<string, number | string | boolean> {
    const sum = (get: (f: SimFramework) => number): number => this.frameworks.reduce((n, f) => n + get(f), 0);
    return {
      seed: this.options.seed,
      steps: this.stepsRun,
      chaos: this.options.chaos,
      ok,
      virtual_s: this.virtualS(),
      agents: this.options.agents,
      frameworks: this.options.frameworks,
      tasks_launched: sum((f) => f.counts.launched),
      tasks_finished: sum((f) => f.counts.finished),
      tasks_failed: sum((f) => f.counts.failed),
      tasks_killed: sum((f) => f.counts.killed),
      tasks_lost: sum((f) => f.counts.lost),
      tasks_killed_staging: sum((f) => f.counts.stagingKills),
      status_updates: sum((f) => f.counts.updates),
      acknowledgements: sum((f) => f.counts.acks),
      subscriptions: sum((f) => f.counts.subscriptions),
      faults_injected: this.faultsInjected(),
      messages_dropped: this.faults.counts.drops,
      messages_delayed: this.faults.counts.delays,
      messages_duplicated: this.faults.counts.duplicates,
      messages_reordered: this.faults.counts.reorders,
      partitions: this.nodeFaults.partitions,
      agent_crashes: this.nodeFaults.agentCrashes,
      agent_reboots: this.nodeFaults.agentReboots,
      agent_restarts: this.agents.reduce((n, a) => n + a.incarnation - 1, 0),
      master_restarts: this.master.incarnation - 1,
      framework_disconnects: this.nodeFaults.frameworkDisconnects,
      invariant_checks: this.invariantChecks,
      agent_overcommitted_steps: this.agentOvercommittedSteps,
      liveness_checks: this.livenessChecks,
      drain_steps: this.drainSteps,
      trace_lines: this.trace.lines,
      trace_hash: traceHash,
      wall_ms: Math.round(wallMs),
      steps_per_s: Math.round((this.stepsRun + this.drainSteps) / Math.max(wallMs / 1000, 1e-3)),
    };
  }

  private async tearDown(): Promise<void> {
    for (const framework of this.frameworks) framework.disconnect('simulation over', 0);
    for (const runtime of this.runtimes()) await runtime.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
