import type { OfferDecision } from '@ts-mesos/allocator';
import {
  AgentId,
  FrameworkId,
  type FrameworkInfo,
  type InternalMessage,
  isCompatibleAgent,
  isTerminalState,
  type MasterInfo,
  type Offer,
  roleError,
  type OperatorEvent,
  PROTOCOL_VERSION,
  Resources,
  type SchedulerCall,
  type Task,
  type TaskReason,
  type TaskState,
  type TaskStatus,
} from '@ts-mesos/protocol';
import { AcceptProcessor, filterSeconds } from './accept.js';
import { frameworkInfoError } from './framework-validation.js';
import { operatorAgent, operatorFramework } from './operator-api.js';
import { type Conversion, conversion, type OperationActor, type OperationKind, operationResources, volumeIds } from './operations.js';
import { type MasterEffect, type MasterTimer, send } from './master-effect.js';
import { type AgentRecord, type ExecutorRecord, type FrameworkRecord, frameworkRoles, hasCapability, type OfferRecord, type TaskRecord, taskKey } from './records.js';
import type { QuotaRecord, RegistryState } from './registry.js';

/** The longest agent hostname admitted (a DNS name has at most 253 characters): a 15 MB one had been admitted and written to the registry. */
const MAX_HOSTNAME_LENGTH = 255;

export interface MasterCoreOptions {
  readonly info: MasterInfo;
  readonly registry: RegistryState;
  /** `--offer_timeout`: offers not answered in time are rescinded; undefined keeps them. */
  readonly offerTimeoutMs?: number;
  /** `--agent_ping_timeout` (15 s): how often agents are pinged. */
  readonly agentPingTimeoutMs: number;
  /** `--max_agent_ping_timeouts` (5): missed pings before an agent is removed. */
  readonly maxAgentPingTimeouts: number;
  /** `--max_completed_tasks_per_framework` (1,000). */
  readonly maxCompletedTasksPerFramework: number;
  /** `--max_completed_frameworks` (50). */
  readonly maxCompletedFrameworks: number;
  /** Seconds between HEARTBEAT events, told to schedulers in SUBSCRIBED (15). */
  readonly heartbeatIntervalSeconds: number;
  /**
   * `--agent_reregister_timeout` (10 min): after the master recovered its registry (a restart
   * or a failover), agents it admitted that have not re-registered in this time are marked
   * unreachable.
   */
  readonly agentReregisterTimeoutMs?: number;
  /**
   * `--registry_max_agent_age` (2 weeks), `--registry_max_agent_count` (102,400) and
   * `--registry_gc_interval` (15 min): unreachable agents are forgotten by the registry once
   * older than the age, oldest first beyond the count, checked at the interval.
   */
  readonly registryGc?: { readonly maxAgeMs: number; readonly maxCount: number; readonly intervalMs: number };
}

/** The answer to a v1 scheduler call: 202, or an HTTP error status with a message. */
export type CallOutcome = { readonly status: 202 } | { readonly status: 400 | 403 | 404 | 409; readonly message: string };

/** 16 bytes in base64, padded or not. */
const UUID_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw](==)?$/;

const ACCEPTED: CallOutcome = { status: 202 };

/** Cumulative counts the master keeps for its metrics. */
export interface MasterStats {
  /** Tasks that reached each terminal state (`TASK_FINISHED` -> n). */
  readonly terminalTasks: Partial<Record<TaskState, number>>;
  agentRegistrations: number;
  agentReregistrations: number;
  agentRemovals: number;
  validStatusUpdates: number;
  invalidStatusUpdates: number;
  frameworkSubscriptions: number;
  offersMade: number;
}

/** How many recent statuses a task keeps (`/master/state` shows them). */
const STATUSES_KEPT = 10;

/**
 * `{ ...source, ...extra }` for objects the master keeps by the thousand (statuses, agent infos,
 * tasks). In a busy master, Node 20's V8 gave nearly every object made by such a spread a hidden
 * class of its own (of 60,000 statuses in a row, 11 shared their predecessor's): at 50,000 agents
 * 290,000 kept objects carried ~70 MB of their own maps and descriptors, and reads of them missed
 * the inline caches. Made with `Object.assign` onto a fresh literal, all 60,000 shared.
 */
function kept<T extends object, E extends object>(source: T, extra: E): T & E {
  // A decoded own `__proto__` key would set the copy's prototype through assign: the spread defines it as data.
  return Object.hasOwn(source, '__proto__') ? { ...source, ...extra } : Object.assign({}, source, extra);
}

/**
 * The master's decisions, as a pure state machine (DESIGN.md section 3): agents, frameworks,
 * offers and tasks. Each input method appends the effects to perform to `effects`; the shell
 * drains them after every input. Time comes in as `now` (ms since the epoch).
 */
export class MasterCore {
  readonly agents = new Map<string, AgentRecord>();
  private nextPingSlot = 0;
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  readonly offers = new Map<string, OfferRecord>();
  /** Role weights set by operators (`/master/weights`); unlisted roles weigh 1. */
  readonly weights: Map<string, number>;
  /** Role quotas set by operators (`/master/quota`). */
  readonly quotas: Map<string, QuotaRecord>;
  effects: MasterEffect[] = [];
  /** Counts behind the `master/*` counter metrics (gauges are read from the state itself). */
  readonly stats: MasterStats = { terminalTasks: {}, agentRegistrations: 0, agentReregistrations: 0, agentRemovals: 0, validStatusUpdates: 0, invalidStatusUpdates: 0, frameworkSubscriptions: 0, offersMade: 0 };
  private readonly agentsByPid = new Map<string, AgentRecord>();
  private readonly removedFrameworks = new Set<string>();
  private nextFrameworkId = 0;
  private nextAgentId = 0;
  private nextOfferId = 0;
  private readonly accept: AcceptProcessor;

  constructor(readonly options: MasterCoreOptions) {
    this.accept = new AcceptProcessor(this);
    this.weights = new Map(options.registry.weights);
    this.quotas = new Map(options.registry.quotas);
    // Agent IDs must stay unique across master restarts: continue after the highest admitted.
    for (const id of [...options.registry.admitted.keys(), ...options.registry.unreachable.keys(), ...options.registry.gone]) {
      const m = /-S(\d+)$/.exec(id);
      if (m !== null) this.nextAgentId = Math.max(this.nextAgentId, Number(m[1]) + 1);
    }
  }

  /** How long an agent may go without a ping before it should register again. */
  get totalPingTimeoutSeconds(): number {
    return (this.options.agentPingTimeoutMs * this.options.maxAgentPingTimeouts) / 1000;
  }

  get id(): string {
    return this.options.info.id;
  }

  /** Takes the effects accumulated so far. */
  drain(): MasterEffect[] {
    const effects = this.effects;
    this.effects = [];
    return effects;
  }

  emit(effect: MasterEffect): void {
    this.effects.push(effect);
  }

  private operatorEvent(build: () => OperatorEvent): void {
    this.effects.push({ kind: 'operator-event', build });
  }

  // ---------------------------------------------------------------- agents

  registerAgent(from: string, message: InternalMessage<'RegisterAgent'>, now: number): void {
    if (!isCompatibleAgent(message.version)) {
      this.emit(send(from, 'AgentRegistrationRejected', { message: `Agent protocol ${message.version} is not compatible with master protocol ${PROTOCOL_VERSION}` }));
      return;
    }
    if (this.refusedHostname(from, message.agent_info.hostname)) return;
    const existing = this.agentsByPid.get(from);
    if (existing !== undefined) {
      // A retried registration whose answer was lost: answer again with the same ID.
      this.emit(send(from, 'AgentRegistered', { agent_id: { value: existing.id }, ping_interval_seconds: this.options.agentPingTimeoutMs / 1000, total_ping_timeout_seconds: this.totalPingTimeoutSeconds }));
      return;
    }
    const total = Resources.fromJson(message.agent_info.resources ?? []);
    if (!total.ok) {
      this.emit(send(from, 'AgentRegistrationRejected', { message: `Agent resources are invalid: ${total.error}` }));
      return;
    }
    const id = AgentId(`${this.id}-S${this.nextAgentId++}`);
    const info = kept(message.agent_info, { id: { value: id } });
    this.emit({ kind: 'persist', change: { op: 'admit', agent: info } });
    const agent = this.addAgentRecord(id, info, from, total.value, message.version, now);
    this.emit({ kind: 'allocator', apply: (a) => a.addAgent(id, { hostname: info.hostname, total: agent.total }) });
    this.emit(send(from, 'AgentRegistered', { agent_id: { value: id }, ping_interval_seconds: this.options.agentPingTimeoutMs / 1000, total_ping_timeout_seconds: this.totalPingTimeoutSeconds }));
    this.stats.agentRegistrations++;
    this.operatorEvent(() => ({ type: 'AGENT_ADDED', agent_added: { agent: operatorAgent(this, agent) } }));
    this.emit({ kind: 'log', level: 'info', fields: { agentId: id, pid: from, resources: agent.total.toString() }, message: 'Registered agent' });
  }

  /** Refuses (registering or re-registering) an agent whose hostname is too long; whether it did. */
  private refusedHostname(from: string, hostname: string): boolean {
    if (hostname.length <= MAX_HOSTNAME_LENGTH) return false;
    this.emit(send(from, 'AgentRegistrationRejected', { message: `Agent hostname is longer than ${MAX_HOSTNAME_LENGTH} characters` }));
    return true;
  }

  reregisterAgent(from: string, message: InternalMessage<'ReregisterAgent'>, now: number): void {
    const id = message.agent_info.id?.value;
    if (id === undefined) {
      this.emit(send(from, 'AgentRegistrationRejected', { message: 'Re-registration requires the agent ID' }));
      return;
    }
    if (!isCompatibleAgent(message.version)) {
      this.emit(send(from, 'AgentRegistrationRejected', { message: `Agent protocol ${message.version} is not compatible with master protocol ${PROTOCOL_VERSION}` }));
      return;
    }
    if (this.options.registry.gone.has(id)) {
      this.emit(send(from, 'AgentShutdown', { message: `Agent '${id}' was marked gone`, reason: 'GONE' }));
      return;
    }
    if (this.refusedHostname(from, message.agent_info.hostname)) return;
    const total = Resources.fromJson(message.agent_info.resources ?? []);
    if (!total.ok) {
      this.emit(send(from, 'AgentRegistrationRejected', { message: `Agent resources are invalid: ${total.error}` }));
      return;
    }
    const known = this.agents.get(id);
    if (known !== undefined) {
      // Reconnected (a new agent process or a new connection): take the new pid, activate.
      if (known.pid !== from) this.agentsByPid.delete(known.pid);
      known.pid = from;
      known.reregisteredTimeMs = now;
      known.missedPings = 0;
      known.pongSinceLastPing = true;
      this.agentsByPid.set(from, known);
      if (!known.active) {
        known.active = true;
        this.emit({ kind: 'allocator', apply: (a) => a.activateAgent(AgentId(id)) });
      }
      this.emit({ kind: 'link', pid: from });
      this.reconcileAgentTasks(known, message.tasks, now);
      // An executor the agent no longer runs (it ended while the two were apart) gives its resources back.
      const running = new Set(message.executor_infos.map((e) => `${e.framework_id?.value ?? ''}/${e.executor_id.value}`));
      for (const framework of this.frameworks.values()) {
        for (const executorId of [...(framework.executors.get(id)?.keys() ?? [])]) {
          if (!running.has(`${framework.id}/${executorId}`)) this.exitedExecutor(from, { agent_id: { value: id }, framework_id: { value: framework.id }, executor_id: { value: executorId } });
        }
      }
      this.emit(send(from, 'AgentReregistered', { agent_id: { value: id }, total_ping_timeout_seconds: this.totalPingTimeoutSeconds }));
      this.stats.agentReregistrations++;
      return;
    }
    // Unknown to this master (it restarted, or removed the agent): admit it again with its tasks.
    // Coming back from unreachable, the tasks of frameworks that are not partition-aware were
    // already reported lost: they are shut down on the agent, not taken back (Mesos's rule).
    const wasUnreachable = this.options.registry.unreachable.has(id);
    const shutDown = new Set<string>();
    const info = kept(message.agent_info, { id: { value: id } });
    this.emit({ kind: 'persist', change: { op: 'admit', agent: info } });
    const agent = this.addAgentRecord(id, info, from, total.value, message.version, now);
    agent.reregisteredTimeMs = now;
    const used = new Map<string, Resources>();
    for (const task of message.tasks) {
      if (isTerminalState(task.state)) continue;
      const known = this.frameworks.get(task.framework_id.value);
      const frameworkInfo = known?.info ?? message.frameworks.find((f) => f.id?.value === task.framework_id.value);
      if (wasUnreachable && (frameworkInfo === undefined || !hasCapability(frameworkInfo, 'PARTITION_AWARE'))) {
        shutDown.add(task.framework_id.value);
        continue;
      }
      const framework = known ?? this.recoverFramework(task.framework_id.value, message.frameworks, now);
      const resources = Resources.fromJson(task.resources);
      if (!resources.ok) continue;
      const role = frameworkRoles(framework.info)[0] ?? '*';
      const record: TaskRecord = { task: kept(task, {}), frameworkId: framework.id, agentId: id, resources: resources.value.allocate(role), role, recovered: false, views: undefined };
      framework.tasks.set(task.task_id.value, record);
      agent.tasks.set(taskKey(framework.id, task.task_id.value), record);
      used.set(framework.id, (used.get(framework.id) ?? Resources.EMPTY).add(record.resources));
    }
    // The custom executors it runs hold their resources, as when this master launched them.
    for (const info of message.executor_infos) {
      const framework = info.framework_id === undefined ? undefined : this.frameworks.get(info.framework_id.value);
      if (framework === undefined || shutDown.has(framework.id)) continue;
      const resources = Resources.fromJson(info.resources ?? []);
      if (!resources.ok) continue;
      const allocated = resources.value.allocate(frameworkRoles(framework.info)[0] ?? '*');
      this.addExecutor(framework, id, { info, resources: allocated });
      used.set(framework.id, (used.get(framework.id) ?? Resources.EMPTY).add(allocated));
    }
    this.emit({
      kind: 'allocator',
      apply: (a) => a.addAgent(AgentId(id), { hostname: info.hostname, total: agent.total }, new Map([...used].map(([f, r]) => [FrameworkId(f), r]))),
    });
    let held = Resources.EMPTY;
    for (const resources of used.values()) held = held.plus(resources.unallocate());
    if (!agent.total.contains(held)) {
      // Mesos takes such an agent back too: its tasks run on, and nothing beyond its total is offered until enough of them end.
      this.emit({ kind: 'log', level: 'warn', fields: { agentId: id, held: held.toString(), total: agent.total.toString() }, message: 'Re-registered agent runs more than its total' });
    }
    this.emit(send(from, 'AgentReregistered', { agent_id: { value: id }, total_ping_timeout_seconds: this.totalPingTimeoutSeconds }));
    for (const frameworkId of shutDown) this.emit(send(from, 'ShutdownFramework', { framework_id: { value: frameworkId } }));
    this.stats.agentReregistrations++;
    this.operatorEvent(() => ({ type: 'AGENT_ADDED', agent_added: { agent: operatorAgent(this, agent) } }));
    this.emit({ kind: 'log', level: 'info', fields: { agentId: id, pid: from, tasks: message.tasks.length }, message: 'Re-admitted agent' });
  }

  private addAgentRecord(id: string, info: AgentRecord['info'], pid: string, total: Resources, version: string, now: number): AgentRecord {
    const agent: AgentRecord = {
      id,
      info,
      pid,
      total,
      version,
      tasks: new Map(),
      executors: new Map(),
      offers: new Set(),
      active: true,
      missedPings: 0,
      pongSinceLastPing: true,
      pingSlot: this.nextPingSlot++,
      registeredTimeMs: now,
      reregisteredTimeMs: undefined,
      views: undefined,
      operatorView: undefined,
    };
    this.agents.set(id, agent);
    this.agentsByPid.set(pid, agent);
    this.emit({ kind: 'link', pid });
    return agent;
  }

  /** A framework known only from an agent's tasks, until its scheduler subscribes again. */
  private recoverFramework(id: string, infos: InternalMessage<'ReregisterAgent'>['frameworks'], now: number): FrameworkRecord {
    const info = infos.find((f) => f.id?.value === id) ?? { user: '', name: '', id: { value: id } };
    const framework = this.newFrameworkRecord(id, info, now);
    framework.recovered = true;
    this.frameworks.set(id, framework);
    this.emit({ kind: 'allocator', apply: (a) => a.addFramework(FrameworkId(id), { roles: framework.roles }) });
    this.emit({ kind: 'allocator', apply: (a) => a.deactivateFramework(FrameworkId(id)) });
    return framework;
  }

  /**
   * Tasks the master launched on a re-registering agent that the agent did not report: either
   * the launch was lost, or the re-registration crossed the RunTask on the way and the agent
   * has the task after all. Only the agent can tell, so the master asks it (Mesos's
   * `reconcileKnownSlave`), after everything it sent before; the agent answers each task it
   * does not know with a TASK_LOST (TASK_DROPPED) update, and the rest report themselves.
   */
  private reconcileAgentTasks(agent: AgentRecord, reported: readonly Task[], now: number): void {
    const present = new Set(reported.map((t) => taskKey(t.framework_id.value, t.task_id.value)));
    const missing = new Map<string, TaskStatus[]>();
    for (const [key, record] of agent.tasks) {
      if (present.has(key) || isTerminalState(record.task.state)) continue;
      let statuses = missing.get(record.frameworkId);
      if (statuses === undefined) missing.set(record.frameworkId, (statuses = []));
      statuses.push({
        task_id: record.task.task_id,
        agent_id: { value: agent.id },
        state: record.task.status_update_state ?? record.task.state,
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation request',
        timestamp: now / 1000,
      });
    }
    for (const [frameworkId, statuses] of missing) {
      this.emit(send(agent.pid, 'ReconcileTasks', { framework_id: { value: frameworkId }, statuses }));
      this.emit({ kind: 'log', level: 'info', fields: { agentId: agent.id, frameworkId, tasks: statuses.length }, message: 'Tasks unknown to the re-registered agent: reconciling with the agent' });
    }
  }

  agentExited(pid: string): void {
    const agent = this.agentsByPid.get(pid);
    if (agent === undefined || !agent.active) return;
    // Mesos deactivates a disconnected agent and waits for the ping timeouts before removal.
    agent.active = false;
    this.emit({ kind: 'allocator', apply: (a) => a.deactivateAgent(AgentId(agent.id)) });
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    this.emit({ kind: 'log', level: 'info', fields: { agentId: agent.id, pid }, message: 'Agent disconnected' });
  }

  pong(from: string): void {
    const agent = this.agentsByPid.get(from);
    if (agent === undefined) return;
    agent.missedPings = 0;
    agent.pongSinceLastPing = true;
  }

  /**
   * Every `--agent_ping_timeout`, for each agent: count it silent if it did not answer the last
   * ping, remove it if silent too long, ping it otherwise. The round may be cut in `slices`
   * taken one at a time (`slice` 0 to `slices - 1`), each agent in one of them: pinging 50,000
   * agents at once had their 50,000 pongs arrive as one burst that held up everything behind it
   * for seconds (Mesos pings each agent on a timer of its own, started when it registered).
   */
  pingAgents(now: number, slice = 0, slices = 1): void {
    for (const agent of [...this.agents.values()]) {
      if (agent.pingSlot % slices !== slice) continue;
      if (!agent.pongSinceLastPing) agent.missedPings++;
      if (agent.missedPings >= this.options.maxAgentPingTimeouts) {
        this.markAgentUnreachable(agent, now);
        continue;
      }
      agent.pongSinceLastPing = false;
      this.emit(send(agent.pid, 'Ping', { connected: agent.active }));
    }
  }

  /** An agent that stopped answering: its tasks are reported lost (unreachable to partition-aware frameworks). */
  markAgentUnreachable(agent: AgentRecord, now: number): void {
    this.emit({ kind: 'persist', change: { op: 'unreachable', agentId: agent.id, timeMs: now } });
    this.emit({ kind: 'log', level: 'warn', fields: { agentId: agent.id, missedPings: agent.missedPings }, message: 'Removing agent that stopped answering pings' });
    this.dropAgent(agent, now, (partitionAware) => ({
      state: partitionAware ? 'TASK_UNREACHABLE' : 'TASK_LOST',
      reason: 'REASON_AGENT_REMOVED',
      message: `Agent ${agent.info.hostname} is unreachable`,
      ...(partitionAware ? { unreachable_time: { nanoseconds: now * 1e6 } } : {}),
    }));
  }

  /**
   * MARK_AGENT_GONE: an operator says the agent will never come back (Mesos 1.5+). It is
   * recorded as gone (refused if it re-registers), told to shut down if connected, and its
   * tasks are reported TASK_GONE_BY_OPERATOR to partition-aware frameworks, TASK_LOST to others.
   */
  markAgentGone(agentId: string, now: number): CallOutcome {
    const registry = this.options.registry;
    if (registry.gone.has(agentId)) return ACCEPTED;
    const agent = this.agents.get(agentId);
    if (agent === undefined && !registry.admitted.has(agentId) && !registry.unreachable.has(agentId)) return { status: 404, message: `No agent '${agentId}' is known to this master` };
    this.emit({ kind: 'persist', change: { op: 'gone', agentId } });
    this.emit({ kind: 'log', level: 'warn', fields: { agentId }, message: 'Agent marked gone by an operator' });
    if (agent === undefined) return ACCEPTED;
    this.emit(send(agent.pid, 'AgentShutdown', { message: 'The agent was marked gone by an operator', reason: 'GONE' }));
    this.dropAgent(agent, now, (partitionAware) => ({
      state: partitionAware ? 'TASK_GONE_BY_OPERATOR' : 'TASK_LOST',
      reason: 'REASON_AGENT_REMOVED_BY_OPERATOR',
      message: `Agent ${agent.info.hostname} was marked gone by an operator`,
    }));
    return ACCEPTED;
  }

  /** Forgets a registered agent: its offers rescinded, its tasks ended with the status `ending` gives. */
  private dropAgent(agent: AgentRecord, now: number, ending: (partitionAware: boolean) => { state: TaskState; reason: TaskReason; message: string } & Partial<TaskStatus>): void {
    this.stats.agentRemovals++;
    const removedId = agent.id;
    this.operatorEvent(() => ({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: removedId } } }));
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId);
    for (const record of [...agent.tasks.values()]) {
      const framework = this.frameworks.get(record.frameworkId);
      const partitionAware = framework !== undefined && hasCapability(framework.info, 'PARTITION_AWARE');
      this.transitionTask(record, { ...ending(partitionAware), source: 'SOURCE_MASTER' }, now, false);
      this.removeTask(record);
    }
    for (const framework of this.frameworks.values()) framework.executors.delete(agent.id);
    this.agents.delete(agent.id);
    this.agentsByPid.delete(agent.pid);
    this.emit({ kind: 'allocator', apply: (a) => a.removeAgent(AgentId(agent.id)) });
  }

  /** A custom executor launched on `agentId`: its resources stay allocated to the framework until it exits. */
  addExecutor(framework: FrameworkRecord, agentId: string, executor: ExecutorRecord): void {
    let byId = framework.executors.get(agentId);
    if (byId === undefined) framework.executors.set(agentId, (byId = new Map<string, ExecutorRecord>()));
    byId.set(executor.info.executor_id.value, executor);
    this.agents.get(agentId)?.executors.set(`${framework.id}/${executor.info.executor_id.value}`, executor);
  }

  /** ExitedExecutor from an agent: the executor's resources go back to the allocator (Mesos's `Master::exitedExecutor`). */
  exitedExecutor(from: string, message: InternalMessage<'ExitedExecutor'>): void {
    const agent = this.agentsByPid.get(from);
    if (agent === undefined || agent.id !== message.agent_id.value) {
      this.emit({ kind: 'log', level: 'warn', fields: { from, executorId: message.executor_id.value }, message: 'Ignoring an exited executor from an unknown agent' });
      return;
    }
    const framework = this.frameworks.get(message.framework_id.value);
    const byId = framework?.executors.get(agent.id);
    const executor = byId?.get(message.executor_id.value);
    if (framework === undefined || byId === undefined || executor === undefined) return;
    byId.delete(message.executor_id.value);
    if (byId.size === 0) framework.executors.delete(agent.id);
    agent.executors.delete(`${framework.id}/${message.executor_id.value}`);
    const frameworkId = FrameworkId(framework.id);
    this.emit({ kind: 'allocator', apply: (a) => a.recoverResources(frameworkId, AgentId(agent.id), executor.resources, 0, 0) });
  }

  statusUpdate(from: string, message: InternalMessage<'StatusUpdate'>): void {
    const agent = this.agentsByPid.get(from);
    if (agent === undefined) {
      this.stats.invalidStatusUpdates++;
      this.emit({ kind: 'log', level: 'warn', fields: { from, taskId: message.status.task_id.value }, message: 'Ignoring status update from an unknown agent' });
      return;
    }
    this.stats.validStatusUpdates++;
    const frameworkId = message.framework_id.value;
    const taskId = message.status.task_id.value;
    const record = agent.tasks.get(taskKey(frameworkId, taskId));
    const status: TaskStatus = kept(message.status, { agent_id: { value: agent.id }, uuid: message.uuid, timestamp: message.status.timestamp ?? message.timestamp });
    if (record !== undefined) {
      const latest = message.latest_state ?? status.state;
      this.countTransition(record.task.state, latest);
      record.task.state = latest;
      record.task.status_update_state = status.state;
      record.task.status_update_uuid = message.uuid;
      const statuses = (record.task.statuses ??= []);
      statuses.push(status);
      if (statuses.length > STATUSES_KEPT) statuses.splice(0, statuses.length - STATUSES_KEPT);
      if (isTerminalState(latest)) this.recoverTaskResources(record);
      this.operatorEvent(() => ({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: frameworkId }, status, state: latest } }));
    }
    const framework = this.frameworks.get(frameworkId);
    // A disconnected framework misses the update; the agent retries until it is acknowledged.
    if (framework?.connected === true) this.emit({ kind: 'event', frameworkId, event: { type: 'UPDATE', update: { status } } });
  }

  executorMessage(from: string, message: InternalMessage<'ExecutorToFramework'>): void {
    if (!this.agentsByPid.has(from)) return;
    const framework = this.frameworks.get(message.framework_id.value);
    if (framework?.connected !== true) return;
    this.emit({
      kind: 'event',
      frameworkId: framework.id,
      event: { type: 'MESSAGE', message: { agent_id: message.agent_id, executor_id: message.executor_id, data: message.data } },
    });
  }

  // ---------------------------------------------------------------- frameworks

  private newFrameworkRecord(id: string, info: FrameworkRecord['info'], now: number): FrameworkRecord {
    return {
      id,
      info: { ...info, id: { value: id } },
      roles: frameworkRoles(info),
      connected: false,
      active: false,
      recovered: false,
      streamId: undefined,
      offers: new Set(),
      tasks: new Map(),
      completedTasks: [],
      executors: new Map(),
      registeredTimeMs: now,
      reregisteredTimeMs: undefined,
      unregisteredTimeMs: undefined,
    };
  }

  /**
   * SUBSCRIBE: a new framework gets an ID; one that names its ID takes over its framework
   * (failover), and the previous connection, if any, is told so and closed.
   */
  subscribe(call: SchedulerCall, streamId: string, now: number): { ok: true; frameworkId: string } | { ok: false; status: 400 | 403; message: string } {
    const subscribe = call.subscribe!;
    const info = subscribe.framework_info;
    const invalid = frameworkInfoError(info);
    if (invalid !== undefined) return { ok: false, status: 400, message: invalid };
    const roles = frameworkRoles(info);
    if (roles.length === 0) return { ok: false, status: 400, message: 'A MULTI_ROLE framework must subscribe with at least one role' };
    const requested = info.id?.value === '' ? undefined : info.id?.value;
    if ((call.framework_id?.value ?? '') !== (requested ?? '')) {
      return { ok: false, status: 400, message: "'framework_id' differs from 'subscribe.framework_info.id'" };
    }
    if (requested !== undefined && this.removedFrameworks.has(requested)) {
      return { ok: false, status: 403, message: `Framework '${requested}' has been removed` };
    }
    let framework = requested === undefined ? undefined : this.frameworks.get(requested);
    if (framework === undefined) {
      const id = requested ?? FrameworkId(`${this.id}-${String(this.nextFrameworkId++).padStart(4, '0')}`);
      framework = this.newFrameworkRecord(id, info, now);
      this.frameworks.set(id, framework);
      const f = framework;
      this.emit({ kind: 'allocator', apply: (a) => a.addFramework(FrameworkId(id), { roles, suppressedRoles: subscribe.suppressed_roles ?? [], revocable: hasCapability(info, 'REVOCABLE_RESOURCES') }, this.usedByAgent(f)) });
      this.emit({ kind: 'log', level: 'info', fields: { frameworkId: id, name: info.name, roles }, message: 'Framework subscribed' });
      this.operatorEvent(() => ({ type: 'FRAMEWORK_ADDED', framework_added: { framework: operatorFramework(this, f) } }));
    } else {
      const unchangeable = immutableFieldChange(framework.info, info);
      if (unchangeable !== undefined) return { ok: false, status: 400, message: unchangeable };
      if (framework.streamId !== undefined) {
        this.emit({ kind: 'event', frameworkId: framework.id, streamId: framework.streamId, event: { type: 'ERROR', error: { message: 'Framework failed over' } } });
        this.emit({ kind: 'close-stream', frameworkId: framework.id, streamId: framework.streamId });
      }
      // Outstanding offers are withdrawn without a RESCIND: the new connection never saw them.
      framework.connected = false;
      for (const offerId of [...framework.offers]) this.rescindOffer(offerId);
      framework.info = { ...info, id: { value: framework.id } };
      framework.roles = roles;
      framework.reregisteredTimeMs = now;
      framework.unregisteredTimeMs = undefined;
      framework.recovered = false;
      const id = framework.id;
      this.emit({ kind: 'allocator', apply: (a) => a.updateFramework(FrameworkId(id), { roles, suppressedRoles: subscribe.suppressed_roles ?? [], revocable: hasCapability(info, 'REVOCABLE_RESOURCES') }) });
      this.emit({ kind: 'cancel-timer', key: `failover:${id}` });
      this.emit({ kind: 'log', level: 'info', fields: { frameworkId: id, name: info.name }, message: 'Framework re-subscribed' });
      const f = framework;
      this.operatorEvent(() => ({ type: 'FRAMEWORK_UPDATED', framework_updated: { framework: operatorFramework(this, f) } }));
    }
    framework.streamId = streamId;
    framework.connected = true;
    framework.active = true;
    this.stats.frameworkSubscriptions++;
    const id = framework.id;
    this.emit({ kind: 'allocator', apply: (a) => a.activateFramework(FrameworkId(id)) });
    this.emit({
      kind: 'event',
      frameworkId: id,
      event: { type: 'SUBSCRIBED', subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: this.options.heartbeatIntervalSeconds, master_info: this.options.info } },
    });
    return { ok: true, frameworkId: id };
  }

  private usedByAgent(framework: FrameworkRecord): Map<AgentId, Resources> {
    const used = new Map<AgentId, Resources>();
    for (const task of framework.tasks.values()) {
      if (task.recovered) continue;
      const agentId = AgentId(task.agentId);
      used.set(agentId, (used.get(agentId) ?? Resources.EMPTY).add(task.resources));
    }
    return used;
  }

  /** The scheduler's event stream ended: keep its tasks for `failover_timeout`, then remove it. */
  streamClosed(frameworkId: string, streamId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || framework.streamId !== streamId) return;
    framework.connected = false;
    framework.active = false;
    framework.streamId = undefined;
    this.emit({ kind: 'allocator', apply: (a) => a.deactivateFramework(FrameworkId(frameworkId)) });
    for (const offerId of [...framework.offers]) this.rescindOffer(offerId);
    const failoverMs = Math.max(0, (framework.info.failover_timeout ?? 0) * 1000);
    this.emit({ kind: 'log', level: 'info', fields: { frameworkId, failoverTimeoutMs: failoverMs }, message: 'Framework disconnected' });
    this.operatorEvent(() => ({ type: 'FRAMEWORK_UPDATED', framework_updated: { framework: operatorFramework(this, framework) } }));
    this.emit({ kind: 'timer', key: `failover:${frameworkId}`, delayMs: failoverMs, input: { kind: 'failover-timeout', frameworkId } });
  }

  /** Checks a non-SUBSCRIBE call's framework and stream, then applies it. */
  call(call: SchedulerCall, streamId: string | undefined, now: number): CallOutcome {
    const frameworkId = call.framework_id!.value;
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined || !framework.connected) {
      return { status: 403, message: `Framework '${frameworkId}' is not subscribed` };
    }
    if (streamId === undefined) return { status: 400, message: "All non-subscribe calls should include the 'Mesos-Stream-Id' header" };
    if (streamId !== framework.streamId) {
      return { status: 400, message: `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}` };
    }
    switch (call.type) {
      case 'TEARDOWN':
        this.removeFramework(framework, now);
        return ACCEPTED;
      case 'ACCEPT':
        return this.accept.accept(framework, call.accept!, now);
      case 'DECLINE':
        for (const offerId of call.decline!.offer_ids) {
          const offer = this.offers.get(offerId.value);
          if (offer?.frameworkId === frameworkId) this.removeOffer(offer, filterSeconds(call.decline!.filters), now);
        }
        return ACCEPTED;
      case 'REVIVE': {
        const roles = call.revive?.roles;
        this.emit({ kind: 'allocator', apply: (a) => a.reviveOffers(FrameworkId(frameworkId), roles) });
        return ACCEPTED;
      }
      case 'SUPPRESS': {
        const roles = call.suppress?.roles;
        this.emit({ kind: 'allocator', apply: (a) => a.suppressOffers(FrameworkId(frameworkId), roles) });
        return ACCEPTED;
      }
      case 'KILL':
        this.kill(framework, call.kill!.task_id.value, call.kill!.kill_policy, now);
        return ACCEPTED;
      case 'SHUTDOWN': {
        const agent = this.agents.get(call.shutdown!.agent_id.value);
        if (agent === undefined) return { status: 404, message: `Agent '${call.shutdown!.agent_id.value}' is not registered` };
        this.emit(send(agent.pid, 'ShutdownExecutor', { framework_id: { value: frameworkId }, executor_id: call.shutdown!.executor_id }));
        return ACCEPTED;
      }
      case 'ACKNOWLEDGE':
        return this.acknowledge(framework, call.acknowledge!);
      case 'RECONCILE':
        this.reconcile(framework, call.reconcile!.tasks, now);
        return ACCEPTED;
      case 'MESSAGE': {
        const agent = this.agents.get(call.message!.agent_id.value);
        if (agent === undefined) return { status: 404, message: `Agent '${call.message!.agent_id.value}' is not registered` };
        this.emit(send(agent.pid, 'FrameworkToExecutor', { agent_id: call.message!.agent_id, framework_id: { value: frameworkId }, executor_id: call.message!.executor_id, data: call.message!.data }));
        return ACCEPTED;
      }
      case 'REQUEST':
        // Deprecated in Mesos and ignored by its allocator as well.
        return ACCEPTED;
      default:
        return { status: 400, message: `Call type '${call.type}' is not supported by this master yet` };
    }
  }

  private kill(framework: FrameworkRecord, taskId: string, killPolicy: InternalMessage<'KillTask'>['kill_policy'], now: number): void {
    const record = framework.tasks.get(taskId);
    const agent = record === undefined ? undefined : this.agents.get(record.agentId);
    if (record === undefined || agent === undefined) {
      // Mesos answers a kill of an unknown task with a status update saying so.
      const state: TaskState = hasCapability(framework.info, 'PARTITION_AWARE') ? 'TASK_UNKNOWN' : 'TASK_LOST';
      this.emit({
        kind: 'event',
        frameworkId: framework.id,
        event: { type: 'UPDATE', update: { status: { task_id: { value: taskId }, state, source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION', message: 'Attempted to kill an unknown task', timestamp: now / 1000 } } },
      });
      return;
    }
    this.emit(send(agent.pid, 'KillTask', { framework_id: { value: framework.id }, task_id: { value: taskId }, ...(killPolicy === undefined ? {} : { kill_policy: killPolicy }) }));
  }

  private acknowledge(framework: FrameworkRecord, ack: NonNullable<SchedulerCall['acknowledge']>): CallOutcome {
    // A status update's uuid is 16 bytes, base64 in JSON (Mesos refuses what UUID::fromBytes does).
    if (!UUID_BASE64.test(ack.uuid)) return { status: 400, message: `Invalid 'acknowledge.uuid' '${ack.uuid.slice(0, 100)}': expected 16 bytes in base64` };
    const agent = this.agents.get(ack.agent_id.value);
    if (agent === undefined) return { status: 404, message: `Agent '${ack.agent_id.value}' is not registered` };
    const record = agent.tasks.get(taskKey(framework.id, ack.task_id.value));
    this.emit(send(agent.pid, 'StatusUpdateAcknowledgement', { agent_id: ack.agent_id, framework_id: { value: framework.id }, task_id: ack.task_id, uuid: ack.uuid }));
    // The task leaves the master once its terminal update is acknowledged (as in Mesos).
    if (record !== undefined && record.task.status_update_uuid === ack.uuid && record.task.status_update_state !== undefined && isTerminalState(record.task.status_update_state)) {
      this.removeTask(record);
    }
    return ACCEPTED;
  }

  /** RECONCILE (docs/reconciliation.md): the latest state of the tasks named, or of all when none are. */
  private reconcile(framework: FrameworkRecord, tasks: NonNullable<SchedulerCall['reconcile']>['tasks'], now: number): void {
    const answer = (status: TaskStatus): void => this.emit({ kind: 'event', frameworkId: framework.id, event: { type: 'UPDATE', update: { status } } });
    const latest = (record: TaskRecord): TaskStatus => ({
      task_id: record.task.task_id,
      state: record.task.state,
      agent_id: { value: record.agentId },
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: latest task state',
      timestamp: now / 1000,
    });
    if (tasks.length === 0) {
      for (const record of framework.tasks.values()) answer(latest(record));
      return;
    }
    const partitionAware = hasCapability(framework.info, 'PARTITION_AWARE');
    for (const { task_id, agent_id } of tasks) {
      const record = framework.tasks.get(task_id.value);
      if (record !== undefined) {
        answer(latest(record));
        continue;
      }
      // A task left behind as unreachable (its agent was removed) ended only if the agent is
      // still away; once the agent is back without it, the task is unknown like any other.
      const completed = framework.completedTasks.findLast((t) => t.task.task_id.value === task_id.value && isTerminalState(t.task.state))?.task;
      const agent = agent_id?.value;
      const registry = this.options.registry;
      const state: TaskState =
        completed?.state ??
        (!partitionAware
          ? 'TASK_LOST'
          : agent !== undefined && this.agents.has(agent)
            ? 'TASK_GONE'
            : agent !== undefined && registry.unreachable.has(agent)
              ? 'TASK_UNREACHABLE'
              : agent !== undefined && registry.gone.has(agent)
                ? 'TASK_GONE_BY_OPERATOR'
                : 'TASK_UNKNOWN');
      answer({
        task_id,
        state,
        ...(agent_id === undefined ? {} : { agent_id }),
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: completed === undefined ? 'Reconciliation: task is unknown' : 'Reconciliation: latest task state',
        timestamp: now / 1000,
      });
    }
  }

  removeFramework(framework: FrameworkRecord, now: number): void {
    for (const offerId of [...framework.offers]) this.rescindOffer(offerId);
    for (const record of [...framework.tasks.values()]) {
      if (!isTerminalState(record.task.state)) {
        record.task.state = 'TASK_KILLED';
        (record.task.statuses ??= []).push({ task_id: record.task.task_id, state: 'TASK_KILLED', source: 'SOURCE_MASTER', reason: 'REASON_FRAMEWORK_REMOVED', timestamp: now / 1000 });
      }
      this.recoverTaskResources(record);
      this.removeTask(record);
    }
    // Every agent, as Mesos's Master::removeFramework: one may run an executor of the framework
    // that has no task left, which would otherwise outlive it.
    for (const agent of this.agents.values()) this.emit(send(agent.pid, 'ShutdownFramework', { framework_id: { value: framework.id } }));
    // Its executors go with it (the allocator forgets all it held).
    for (const [agentId, byId] of framework.executors) for (const executorId of byId.keys()) this.agents.get(agentId)?.executors.delete(`${framework.id}/${executorId}`);
    framework.executors.clear();
    if (framework.streamId !== undefined) this.emit({ kind: 'close-stream', frameworkId: framework.id, streamId: framework.streamId });
    framework.connected = false;
    framework.active = false;
    framework.streamId = undefined;
    framework.unregisteredTimeMs = now;
    this.frameworks.delete(framework.id);
    this.removedFrameworks.add(framework.id);
    this.completedFrameworks.push(framework);
    if (this.completedFrameworks.length > this.options.maxCompletedFrameworks) this.completedFrameworks.shift();
    const id = framework.id;
    this.emit({ kind: 'allocator', apply: (a) => a.removeFramework(FrameworkId(id)) });
    this.emit({ kind: 'cancel-timer', key: `failover:${id}` });
    this.emit({ kind: 'log', level: 'info', fields: { frameworkId: id }, message: 'Removed framework' });
    const info = { ...framework.info, id: { value: id } };
    this.operatorEvent(() => ({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: info } }));
  }

  // ---------------------------------------------------------------- offers

  /** The allocator's decisions become offers, one OFFERS event per framework. */
  makeOffers(decisions: readonly OfferDecision[], now: number): void {
    const byFramework = new Map<string, OfferRecord[]>();
    for (const decision of decisions) {
      const framework = this.frameworks.get(decision.frameworkId);
      const agent = this.agents.get(decision.agentId);
      if (framework?.active !== true || agent?.active !== true) {
        // The world moved on between the decision and now: hand the resources straight back.
        this.emit({ kind: 'allocator', apply: (a) => a.recoverResources(decision.frameworkId, decision.agentId, decision.resources, 0, now) });
        continue;
      }
      const offer: OfferRecord = { id: `${this.id}-O${this.nextOfferId++}`, frameworkId: framework.id, agentId: agent.id, role: decision.role, resources: decision.resources };
      this.offers.set(offer.id, offer);
      this.stats.offersMade++;
      framework.offers.add(offer.id);
      agent.offers.add(offer.id);
      let list = byFramework.get(framework.id);
      if (list === undefined) byFramework.set(framework.id, (list = []));
      list.push(offer);
      if (this.options.offerTimeoutMs !== undefined) {
        this.emit({ kind: 'timer', key: `offer:${offer.id}`, delayMs: this.options.offerTimeoutMs, input: { kind: 'offer-timeout', offerId: offer.id } });
      }
    }
    for (const [frameworkId, offers] of byFramework) {
      const framework = this.frameworks.get(frameworkId)!;
      const multiRole = hasCapability(framework.info, 'MULTI_ROLE');
      this.emit({ kind: 'event', frameworkId, event: { type: 'OFFERS', offers: { offers: offers.map((o) => this.offerJson(o, multiRole)) } } });
    }
  }

  private offerJson(offer: OfferRecord, multiRole: boolean): Offer {
    const agent = this.agents.get(offer.agentId)!;
    // Offers to frameworks without MULTI_ROLE carry no allocation_info (Mesos 1.x compatibility).
    // ResourceJson is the same shape as the schema's Resource, only readonly.
    const resources = (multiRole ? offer.resources : offer.resources.unallocate()).toJson() as unknown as Offer['resources'];
    return {
      id: { value: offer.id },
      framework_id: { value: offer.frameworkId },
      agent_id: { value: offer.agentId },
      hostname: agent.info.hostname,
      resources,
      ...(agent.info.attributes === undefined ? {} : { attributes: agent.info.attributes }),
      ...(multiRole ? { allocation_info: { role: offer.role } } : {}),
    };
  }

  /** Takes an offer out of circulation and gives its resources back to the allocator. */
  removeOffer(offer: OfferRecord, refuseSeconds: number | undefined, now: number, recover = true): void {
    this.offers.delete(offer.id);
    this.frameworks.get(offer.frameworkId)?.offers.delete(offer.id);
    this.agents.get(offer.agentId)?.offers.delete(offer.id);
    if (this.options.offerTimeoutMs !== undefined) this.emit({ kind: 'cancel-timer', key: `offer:${offer.id}` });
    if (recover) {
      this.emit({ kind: 'allocator', apply: (a) => a.recoverResources(FrameworkId(offer.frameworkId), AgentId(offer.agentId), offer.resources, refuseSeconds, now) });
    }
  }

  /** Withdraws an offer: the framework is told (RESCIND) when it is connected. */
  // ---------------------------------------------------------------- operations

  /**
   * Applies RESERVE, UNRESERVE, CREATE or DESTROY to an agent, if `available` (unallocated)
   * holds what it consumes: the agent's total changes, the registry keeps it, and the agent is
   * told to checkpoint it (so a re-registration brings it back). The allocator is the caller's.
   */
  applyOperation(agent: AgentRecord, kind: OperationKind, json: unknown, actor: OperationActor, available: Resources): { ok: true; value: Conversion } | { ok: false; error: string } {
    const parsed = operationResources(json, kind.toLowerCase());
    if (!parsed.ok) return parsed;
    const converted = conversion(kind, parsed.value.unallocate(), actor);
    if (!converted.ok) return converted;
    const { consumed } = converted.value;
    if (!available.contains(consumed)) return { ok: false, error: `${kind} needs ${consumed.toString()}, which is not available on agent '${agent.id}'` };
    if (kind === 'CREATE') {
      const existing = volumeIds(agent.total);
      for (const id of volumeIds(converted.value.converted)) if (existing.has(id)) return { ok: false, error: `Persistent volume '${id}' already exists on agent '${agent.id}'` };
    }
    agent.total = agent.total.subtract(consumed).add(converted.value.converted);
    const resources = agent.total.toJson() as unknown as NonNullable<AgentRecord['info']['resources']>;
    agent.info = { ...agent.info, resources };
    this.emit({ kind: 'persist', change: { op: 'admit', agent: { ...agent.info, id: { value: agent.id } } } });
    this.emit(send(agent.pid, 'CheckpointResources', { resources }));
    this.emit({ kind: 'log', level: 'info', fields: { agentId: agent.id, operation: kind, resources: converted.value.converted.toString() }, message: 'Applied an operation' });
    return converted;
  }

  /**
   * An operator's RESERVE, UNRESERVE, CREATE or DESTROY (`/master/reserve`, Operator API):
   * outstanding offers on the agent are rescinded first, so what no task uses is available.
   */
  operatorOperation(agentId: string, kind: OperationKind, json: unknown, principal: string | undefined, now: number): CallOutcome {
    const agent = this.agents.get(agentId);
    if (agent === undefined) return { status: 404, message: `Agent '${agentId}' is not registered` };
    for (const offerId of [...agent.offers]) this.rescindOffer(offerId, now);
    let used = Resources.EMPTY;
    for (const t of agent.tasks.values()) if (!t.recovered) used = used.add(t.resources.unallocate());
    const available = agent.total.minus(used);
    const applied = this.applyOperation(agent, kind, json, { role: undefined, principal }, available);
    if (!applied.ok) return { status: applied.error.includes('not available') || applied.error.includes('already exists') ? 409 : 400, message: applied.error };
    const total = agent.total;
    this.emit({ kind: 'allocator', apply: (a) => a.updateAgent(AgentId(agentId), total) });
    return ACCEPTED;
  }

  /** An operator's teardown (`/master/teardown`, Operator API TEARDOWN). */
  teardown(frameworkId: string, now: number): CallOutcome {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return { status: 404, message: `Framework '${frameworkId}' is not registered` };
    this.removeFramework(framework, now);
    return ACCEPTED;
  }

  /** Sets role weights (`/master/weights`, UPDATE_WEIGHTS); every weight must be positive. */
  updateWeights(weights: readonly { role: string; weight: number }[]): CallOutcome {
    for (const { role, weight } of weights) {
      if (!(weight > 0) || !Number.isFinite(weight)) return { status: 400, message: `Weight of role '${role}' must be a positive number, got ${weight}` };
      const invalid = role === '*' ? "'*' has no weight" : roleError(role);
      if (invalid !== undefined) return { status: 400, message: `Invalid role '${role}': ${invalid}` };
    }
    for (const { role, weight } of weights) {
      this.weights.set(role, weight);
      this.emit({ kind: 'persist', change: { op: 'weight', role, weight } });
    }
    const all = new Map(this.weights);
    this.emit({ kind: 'allocator', apply: (a) => a.updateWeights(all) });
    return ACCEPTED;
  }

  /**
   * Sets (or, with null, removes) quotas (`/master/quota`, UPDATE_QUOTA). Guarantees may not
   * exceed limits; unless forced, the cluster must be able to hold every guarantee at once.
   */
  updateQuotas(configs: readonly { role: string; quota: QuotaRecord | null }[], force: boolean): CallOutcome {
    for (const { role, quota } of configs) {
      const invalid = role === '*' ? "'*' cannot have quota" : roleError(role);
      if (invalid !== undefined) return { status: 400, message: `Invalid role '${role}': ${invalid}` };
      if (quota === null) continue;
      for (const [name, value] of [...Object.entries(quota.guarantees), ...Object.entries(quota.limits)]) {
        if (!(value >= 0) || !Number.isFinite(value)) return { status: 400, message: `Quota of role '${role}' for '${name}' must be a non-negative number, got ${value}` };
      }
      for (const [name, guarantee] of Object.entries(quota.guarantees)) {
        const limit = quota.limits[name];
        if (limit !== undefined && guarantee > limit) return { status: 400, message: `Role '${role}': guarantee of '${name}' (${guarantee}) exceeds its limit (${limit})` };
      }
    }
    if (!force) {
      const next = new Map(this.quotas);
      for (const { role, quota } of configs) {
        if (quota === null) next.delete(role);
        else next.set(role, quota);
      }
      let total = Resources.EMPTY;
      for (const agent of this.agents.values()) total = total.add(agent.total);
      const guaranteed = new Map<string, number>();
      for (const quota of next.values()) for (const [name, value] of Object.entries(quota.guarantees)) guaranteed.set(name, (guaranteed.get(name) ?? 0) + value);
      for (const [name, value] of guaranteed) {
        if (value > total.scalar(name)) return { status: 409, message: `The cluster has ${total.scalar(name)} '${name}', less than the ${value} guaranteed in total; use force to set it anyway` };
      }
    }
    for (const { role, quota } of configs) {
      if (quota === null) this.quotas.delete(role);
      else this.quotas.set(role, quota);
      this.emit({ kind: 'persist', change: { op: 'quota', role, quota } });
      this.emit({ kind: 'allocator', apply: (a) => a.updateQuota(role, quota ?? undefined) });
    }
    return ACCEPTED;
  }

  rescindOffer(offerId: string, now = 0): void {
    const offer = this.offers.get(offerId);
    if (offer === undefined) return;
    this.removeOffer(offer, 0, now);
    if (this.frameworks.get(offer.frameworkId)?.connected === true) {
      this.emit({ kind: 'event', frameworkId: offer.frameworkId, event: { type: 'RESCIND', rescind: { offer_id: { value: offerId } } } });
    }
  }

  timer(input: MasterTimer, now: number): void {
    switch (input.kind) {
      case 'offer-timeout':
        this.rescindOffer(input.offerId, now);
        break;
      case 'failover-timeout': {
        const framework = this.frameworks.get(input.frameworkId);
        if (framework !== undefined && !framework.connected) this.removeFramework(framework, now);
        break;
      }
      case 'registry-gc':
        this.pruneRegistry(now);
        this.emit({ kind: 'timer', key: 'registry-gc', delayMs: this.options.registryGc!.intervalMs, input: { kind: 'registry-gc' } });
        break;
      case 'agent-reregister-timeout':
        for (const agentId of [...this.options.registry.admitted.keys()]) {
          if (this.agents.has(agentId)) continue;
          this.emit({ kind: 'persist', change: { op: 'unreachable', agentId, timeMs: now } });
          this.emit({ kind: 'log', level: 'warn', fields: { agentId, timeoutMs: this.options.agentReregisterTimeoutMs }, message: 'Agent did not re-register after the master recovered; marked unreachable' });
        }
        break;
    }
  }

  /** Forgets unreachable agents older than the maximum age, then the oldest beyond the maximum count. */
  pruneRegistry(now: number): void {
    const gc = this.options.registryGc;
    if (gc === undefined) return;
    const unreachable = [...this.options.registry.unreachable].sort((a, b) => a[1] - b[1]);
    const excess = Math.max(0, unreachable.length - gc.maxCount);
    const pruned = unreachable.filter(([, timeMs], i) => i < excess || now - timeMs > gc.maxAgeMs).map(([agentId]) => agentId);
    for (const agentId of pruned) this.emit({ kind: 'persist', change: { op: 'remove', agentId } });
    if (pruned.length > 0) this.emit({ kind: 'log', level: 'info', fields: { agents: pruned.length, left: unreachable.length - pruned.length }, message: 'Forgot unreachable agents from the registry (--registry_max_agent_age/count)' });
  }

  /** The registry was recovered: agents it names get `agentReregisterTimeoutMs` to re-register. */
  recovered(): void {
    const gc = this.options.registryGc;
    if (gc !== undefined) this.emit({ kind: 'timer', key: 'registry-gc', delayMs: gc.intervalMs, input: { kind: 'registry-gc' } });
    const timeoutMs = this.options.agentReregisterTimeoutMs;
    if (timeoutMs === undefined || this.options.registry.admitted.size === 0) return;
    this.emit({ kind: 'log', level: 'info', fields: { agents: this.options.registry.admitted.size, timeoutMs }, message: 'Recovered the registry; waiting for its agents to re-register' });
    this.emit({ kind: 'timer', key: 'agent-reregister-timeout', delayMs: timeoutMs, input: { kind: 'agent-reregister-timeout' } });
  }

  // ---------------------------------------------------------------- tasks

  addTask(record: TaskRecord): void {
    this.frameworks.get(record.frameworkId)?.tasks.set(record.task.task_id.value, record);
    this.agents.get(record.agentId)?.tasks.set(taskKey(record.frameworkId, record.task.task_id.value), record);
    const task = kept(record.task, {});
    this.operatorEvent(() => ({ type: 'TASK_ADDED', task_added: { task } }));
  }

  /** Records a master-made transition and tells the framework (no uuid: nothing to acknowledge). */
  transitionTask(record: TaskRecord, change: { state: TaskState; reason: TaskReason; source: 'SOURCE_MASTER'; message: string } & Partial<TaskStatus>, now: number, recover = true): void {
    const status: TaskStatus = { task_id: record.task.task_id, agent_id: { value: record.agentId }, timestamp: now / 1000, ...change };
    this.countTransition(record.task.state, change.state);
    record.task.state = change.state;
    this.operatorEvent(() => ({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: record.frameworkId }, status, state: change.state } }));
    (record.task.statuses ??= []).push(status);
    if (recover) this.recoverTaskResources(record);
    else record.recovered = true;
    const framework = this.frameworks.get(record.frameworkId);
    if (framework?.connected === true) this.emit({ kind: 'event', frameworkId: framework.id, event: { type: 'UPDATE', update: { status } } });
  }

  /** A task reaching a terminal state counts once, under that state (`master/tasks_finished`). */
  private countTransition(from: TaskState, to: TaskState): void {
    if (isTerminalState(from) || !isTerminalState(to)) return;
    this.stats.terminalTasks[to] = (this.stats.terminalTasks[to] ?? 0) + 1;
  }

  recoverTaskResources(record: TaskRecord): void {
    if (record.recovered) return;
    record.recovered = true;
    this.emit({ kind: 'allocator', apply: (a) => a.recoverResources(FrameworkId(record.frameworkId), AgentId(record.agentId), record.resources, 0, 0) });
  }

  /** The task leaves the active lists; a framework keeps a bounded list of completed ones. */
  removeTask(record: TaskRecord): void {
    const framework = this.frameworks.get(record.frameworkId);
    const taskId = record.task.task_id.value;
    this.agents.get(record.agentId)?.tasks.delete(taskKey(record.frameworkId, taskId));
    if (framework === undefined || framework.tasks.get(taskId) !== record) return;
    framework.tasks.delete(taskId);
    framework.completedTasks.push(record);
    if (framework.completedTasks.length > this.options.maxCompletedTasksPerFramework) framework.completedTasks.shift();
  }
}

/**
 * What a re-subscription may not change (Mesos's `validateUpdate`): the principal, the user its
 * tasks run as, and whether its tasks are checkpointed. Undefined when none of them changes.
 */
function immutableFieldChange(old: FrameworkInfo, next: FrameworkInfo): string | undefined {
  if (old.principal !== next.principal) return "Changing framework's principal is not allowed.";
  if (old.user !== next.user) return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${old.user}' to '${next.user}'`;
  if ((old.checkpoint ?? false) !== (next.checkpoint ?? false)) return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${String(old.checkpoint ?? false)}' to '${String(next.checkpoint ?? false)}'`;
  return undefined;
}
