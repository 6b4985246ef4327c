import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ContainerCheckpoint, type Containerizer, type Termination } from '@ts-mesos/containerizer';
import { Http, type HttpRequest, type HttpResponse, type MetricsRegistry, Process, systemMetrics, type Upid } from '@ts-mesos/libprocess';
import {
  type AgentInfo,
  attributesModel,
  decodeExecutorCall,
  type ExecutorCall,
  type ExecutorEvent,
  formatDurationMs,
  idError,
  type ExecutorInfo,
  RecordIoStream,
  type TaskStatus,
  ContainerId,
  type FrameworkInfo,
  internalDecoder,
  type InternalMessage,
  type InternalName,
  isTerminalState,
  isValidId,
  messageName,
  PROTOCOL_VERSION,
  Resources,
  resourcesModel,
  type Task,
  type TaskInfo,
  type TaskReason,
  type TaskState,
  TASK_STATES,
  versionModel,
  taskStateModel,
  decodeAgentCall,
  decodeJson,
} from '@ts-mesos/protocol';
import type { Journal, JournalRecord, TaskGroupOf } from './agent-journal.js';
import type { FilesProcess } from './files-process.js';
import { type StatusUpdate, StatusUpdateManager } from './status-update-manager.js';

export interface AgentProcessOptions {
  /** The leading master, when known at start; `masterDetected` tells the agent of every change. */
  readonly master: Upid | undefined;
  readonly workDir: string;
  /** What the agent announces; `id` is set when it registered before (recovered from the journal). */
  readonly info: AgentInfo;
  readonly containerizer: Containerizer;
  readonly journal: Journal;
  /** `--registration_backoff_factor` (1 s). */
  readonly registrationBackoffMs: number;
  /** `--executor_shutdown_grace_period`: SIGTERM-to-SIGKILL time when a kill policy gives none. */
  readonly killGracePeriodMs: number;
  /** First status update retry interval (Mesos: 10 s). */
  readonly statusRetryMinMs?: number;
  /** The master told the agent to shut down (it was removed or marked gone). */
  readonly onShutdown?: (message: string) => void;
  /** Every flag as text, for `/slave(1)/flags` and `/slave(1)/state`. */
  readonly flags?: Readonly<Record<string, string>>;
  /** Where the agent registers its `slave/*` metrics. */
  readonly metrics?: MetricsRegistry;
  /** The `files` process: sandboxes are attached to it for `/files/*`. */
  readonly files?: FilesProcess;
  /** The agent's version, for `/slave(1)/state`. */
  readonly version?: string;
  /** `--recover`: `reconnect` (default) re-adopts running containers after a restart; `cleanup` kills them and shuts the agent down. */
  readonly recoverMode?: 'reconnect' | 'cleanup';
  /** `--executor_registration_timeout` (1 min): a custom executor that has not subscribed by then is destroyed. */
  readonly executorRegistrationTimeoutMs?: number;
  /** `--executor_reregistration_timeout` (2 s): after a restart, a recovered custom executor that has not subscribed again by then is destroyed. */
  readonly executorReregistrationTimeoutMs?: number;
  /** `--recovery_timeout` (15 min): how long executors wait for a restarted agent (`MESOS_RECOVERY_TIMEOUT`). */
  readonly recoveryTimeoutMs?: number;
  /** Makes container and stream IDs (default: random UUIDs); the simulator passes a seeded one so a run replays exactly. */
  readonly uuid?: () => string;
  /** Makes status update UUIDs (default: crypto's randomBytes); seeded in the simulator. */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/** How many tasks whose end it reported the agent remembers (see `endsReported`). */
const RECONCILED_UNKNOWN_MAX = 10_000;

/** A custom executor (ExecutorInfo with a command) speaking the v1 Executor API. */
interface ExecutorRecord {
  readonly frameworkId: string;
  readonly id: string;
  readonly info: ExecutorInfo;
  readonly containerId: string;
  readonly sandbox: string;
  state: 'REGISTERING' | 'RUNNING' | 'TERMINATED';
  /** Recovered after an agent restart: it must subscribe again within `--executor_reregistration_timeout`. */
  recovered: boolean;
  /** Its container, once launched (journaled: a restarted agent re-adopts it). */
  checkpoint: ContainerCheckpoint | undefined;
  stream: RecordIoStream | undefined;
  /** Tasks that arrived before the executor subscribed. */
  readonly queued: TaskInfo[];
  registrationTimer: { cancel(): void } | undefined;
  /** Why it ended, when the agent ended it (registration timeout). */
  endReason: TaskReason | undefined;
}

/** An executor (here: a task's command executor) that has ended, as `/slave(1)/state` lists it. */
interface CompletedExecutor {
  readonly id: string;
  readonly name: string;
  readonly directory: string;
  readonly containerId: string;
  readonly resources: Task['resources'];
  readonly task: Task;
}

/** How many ended executors a framework keeps in `/slave(1)/state` (Mesos: --max_completed_executors_per_framework). */
const MAX_COMPLETED_EXECUTORS_PER_FRAMEWORK = 150;
/** Completed frameworks kept for `/state` (Mesos's `--max_completed_frameworks` default). */
const MAX_COMPLETED_FRAMEWORKS = 50;

/** A task this agent runs with its built-in command executor. */
interface LiveTask {
  readonly frameworkId: string;
  readonly info: TaskInfo;
  readonly task: Task;
  readonly containerId: string;
  readonly sandbox: string;
  launched: boolean;
  killRequested: boolean;
  ended: boolean;
  /**
   * Tasks launched together in a LAUNCH_GROUP: one failing kills the others (Mesos's default
   * executor). The group's executor counts as running while any task of it has not ended: the
   * master holds its resources until this agent says it exited.
   */
  readonly group: TaskGroupOf | undefined;
  /** The custom executor running this task; undefined for the built-in command executor. */
  readonly executor?: ExecutorRecord;
  /** The uuid of every update of this task the agent has taken: an executor sending one again after a restart is acknowledged, not applied twice. */
  readonly uuids: Set<string>;
}

const MAX_REGISTRATION_BACKOFF_MS = 60_000;
/** Mesos's MAX_EXECUTOR_REREGISTRATION_TIMEOUT (src/slave/constants.hpp): `--executor_reregistration_timeout` may not exceed it. */
export const MAX_EXECUTOR_REREGISTRATION_TIMEOUT_MS = 15_000;
const RETRY_TICK_MS = 1000;

/**
 * The agent's actor: registers with the master (and again whenever the connection drops),
 * runs tasks through its containerizer with a built-in command executor, and delivers their
 * status updates reliably through the `StatusUpdateManager`, checkpointing to the journal
 * before acting.
 */
export class AgentProcess extends Process {
  private agentId: string | undefined;
  private registered = false;
  /** The leading master, as last detected. */
  private master: Upid | undefined;
  /** Recovery finished (every recovered executor subscribed again or was destroyed): registration may start. */
  private recovered = false;
  /** The journal has been replayed: the Executor API can serve executors. */
  private replayed = false;
  /** Recovered executors not yet subscribed again; registration waits for them (docs/executor-http-api.md, "Agent Recovery"). */
  private readonly awaitingExecutors = new Set<ExecutorRecord>();
  /** When the master last pinged (or registered) this agent, and how long it may stay silent (Mesos's master ping timeout, 75 s by default). */
  private lastPingMs = 0;
  private pingTimeoutMs = 75_000;
  private attempt = 0;
  private registerTimer: { cancel(): void } | undefined;
  private readonly frameworks = new Map<string, FrameworkInfo>();
  private readonly removedFrameworks = new Set<string>();
  private readonly tasks = new Map<string, LiveTask>();
  /**
   * Tasks whose end this agent already reported (`framework/task`): ones it never had, told to
   * the master's ReconcileTasks or KillTask, and ones that ended here and whose end was
   * acknowledged. The same question again is stale (it crossed the answer, or the
   * acknowledgement, on its way): it is not answered, which would be a second terminal update
   * with a new uuid for a task its framework already saw end. The oldest go past
   * `RECONCILED_UNKNOWN_MAX`; a task launched under that ID clears its entry.
   */
  private readonly endsReported = new Set<string>();
  private readonly updates: StatusUpdateManager;
  private readonly completed = new Map<string, CompletedExecutor[]>();
  /** Frameworks the master shut down and of which nothing runs here any more, oldest first. */
  private readonly completedFrameworks: { readonly id: string; readonly info: FrameworkInfo; readonly executors: CompletedExecutor[] }[] = [];
  /** Custom executors by `frameworkId/executorId`. */
  private readonly executors = new Map<string, ExecutorRecord>();
  /** When this agent process started, on the runtime's clock. */
  private startTimeMs = 0;
  private readonly uuid: () => string;
  private readonly randomBytes: (size: number) => Uint8Array;
  private total: Resources;
  /** What the agent announces; its resources change when the master checkpoints reservations or volumes. */
  private info: AgentInfo;
  private readonly stats = { terminalTasks: {} as Partial<Record<TaskState, number>>, validStatusUpdates: 0, invalidStatusUpdates: 0, containerLaunchErrors: 0, executorsTerminated: 0, frameworkMessagesDropped: 0 };

  constructor(private readonly options: AgentProcessOptions) {
    super('slave(1)');
    this.master = options.master;
    this.agentId = options.info.id?.value;
    this.updates = new StatusUpdateManager(options.statusRetryMinMs);
    this.uuid = options.uuid ?? randomUUID;
    this.randomBytes = options.randomBytes ?? pooledRandomBytes();
    this.handle('AgentRegistered', (_, m) => this.registeredAs(m.agent_id.value, false, m.total_ping_timeout_seconds));
    this.handle('AgentReregistered', (_, m) => this.registeredAs(m.agent_id.value, true, m.total_ping_timeout_seconds));
    this.handle('AgentRegistrationRejected', (_, m) => this.log.error({ reason: m.message }, 'Master rejected the registration'));
    this.handle('Ping', (from, m) => {
      this.lastPingMs = this.runtime.clock.now();
      // The master holds this agent disconnected (it saw the link break, or was told so) while
      // the agent thinks itself registered: it registers again, as Mesos's agent does, or it
      // would stay out of allocation for good while answering every ping.
      if (!m.connected && this.registered && from.toString() === this.master?.toString()) {
        this.log.warn({ master: from.toString() }, 'The master considers this agent disconnected; registering again');
        this.registered = false;
        this.link(from);
        this.scheduleRegistration();
      }
      this.send(from, messageName('Pong'), {});
    });
    this.handle('RunTask', (_, m) => this.runTask(m.framework_info, m.task, undefined));
    this.handle('RunTaskGroup', (_, m) => {
      const group: TaskGroupOf = { executor: m.executor, tasks: m.task_group.tasks.map((t) => t.task_id.value) };
      for (const task of m.task_group.tasks) this.runTask(m.framework_info, { ...task, command: task.command ?? m.executor.command ?? { value: 'true' } }, group);
    });
    this.handle('KillTask', (_, m) => this.killTask(m.framework_id.value, m.task_id.value, m.kill_policy?.grace_period?.nanoseconds));
    this.handle('StatusUpdateAcknowledgement', (_, m) => this.acknowledged(m.framework_id.value, m.task_id.value, m.uuid));
    this.handle('ShutdownFramework', (_, m) => this.shutdownFramework(m.framework_id.value));
    this.handle('ShutdownExecutor', (_, m) => {
      const executor = this.executors.get(`${m.framework_id.value}/${m.executor_id.value}`);
      if (executor !== undefined) this.shutdownExecutor(executor);
      else if (this.tasks.has(`${m.framework_id.value}/${m.executor_id.value}`)) this.killTask(m.framework_id.value, m.executor_id.value, undefined);
    });
    this.handle('FrameworkToExecutor', (_, m) => {
      const stream = this.executors.get(`${m.framework_id.value}/${m.executor_id.value}`)?.stream;
      if (stream === undefined) {
        this.stats.frameworkMessagesDropped++;
        this.log.warn({ frameworkId: m.framework_id.value, executorId: m.executor_id.value }, 'Dropping a framework message: no subscribed executor by that id (command executors take none)');
        return;
      }
      stream.push({ type: 'MESSAGE', message: { data: m.data } } satisfies ExecutorEvent);
    });
    this.handle('AgentShutdown', (_, m) => this.shutdown(m.message));
    this.handle('CheckpointResources', (_, m) => this.checkpointResources(m.resources));
    this.handle('ReconcileTasks', (_, m) => this.reconcileTasks(m.framework_id.value, m.statuses));
    this.route('/health', 'Answers 200 while the agent runs.', () => Http.ok());
    this.route('/state', 'This agent: its resources, attributes, flags, frameworks with their executors and tasks, with Apache Mesos field names.', (r) => Http.jsonp(r, this.state()));
    this.route('/flags', 'The flags this agent runs with.', (r) => Http.jsonp(r, { flags: this.options.flags ?? {} }));
    this.route('/version', 'The Mesos API version this agent speaks, and its own version.', (r) => Http.jsonp(r, versionModel()));
    this.route('/api/v1/executor', 'The v1 Executor API: POST a JSON Call (SUBSCRIBE answers with a RecordIO event stream; UPDATE, MESSAGE).', (r) => this.executorApi(r));
    this.route('/api/v1', 'The v1 agent Operator API: POST a JSON Call (GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS, GET_STATE, GET_CONTAINERS, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_AGENT).', (r) => this.operatorApi(r));
    this.info = options.info;
    const total = Resources.fromJson(options.info.resources ?? []);
    this.total = total.ok ? total.value : Resources.EMPTY;
  }

  /** `POST /api/v1`: the agent's v1 Operator API, JSON in and out (docs/operator-http-api.md). */
  private async operatorApi(request: HttpRequest): Promise<HttpResponse> {
    const refused = Http.refuseUnlessJsonPost(request);
    if (refused !== undefined) return refused;
    const decoded = decodeJson(decodeAgentCall, new TextDecoder().decode(request.body));
    if (!decoded.ok) return Http.badRequest(`Failed to validate agent::Call: ${decoded.error}`);
    const type = decoded.value.type;
    const version = versionModel();
    switch (type) {
      case 'GET_HEALTH':
        return Http.json({ type, get_health: { healthy: true } });
      case 'GET_FLAGS':
        return Http.json({ type, get_flags: { flags: Object.entries(this.options.flags ?? {}).map(([name, value]) => ({ name, value })) } });
      case 'GET_VERSION':
        return Http.json({ type, get_version: { version_info: { version: version['version'], build_date: '', build_time: 0, build_user: '', git_sha: '' } } });
      case 'GET_METRICS':
        return Http.json({ type, get_metrics: { metrics: Object.entries(this.options.metrics?.snapshot() ?? this.metrics()).map(([name, value]) => ({ name, value })) } });
      case 'GET_AGENT':
        return Http.json({ type, get_agent: { agent_info: { ...this.info, ...(this.agentId === undefined ? {} : { id: { value: this.agentId } }) } } });
      case 'GET_TASKS':
        return Http.json({ type, get_tasks: this.operatorTasks() });
      case 'GET_EXECUTORS':
        return Http.json({ type, get_executors: this.operatorExecutors() });
      case 'GET_FRAMEWORKS':
        return Http.json({ type, get_frameworks: this.operatorFrameworks() });
      case 'GET_STATE':
        return Http.json({ type, get_state: { get_tasks: this.operatorTasks(), get_executors: this.operatorExecutors(), get_frameworks: this.operatorFrameworks() } });
      case 'GET_CONTAINERS': {
        const containers = await Promise.all(
          [...this.tasks.values()]
            .filter((t) => t.launched && !t.ended)
            .map(async (t) => {
              const statistics = await this.options.containerizer.usage(ContainerId(t.containerId)).catch(() => undefined);
              return {
                framework_id: { value: t.frameworkId },
                executor_id: t.info.task_id,
                executor_name: `Command Executor (Task: ${t.info.task_id.value})`,
                container_id: { value: t.containerId },
                ...(statistics === undefined ? {} : { resource_statistics: statistics }),
              };
            }),
        );
        return Http.json({ type, get_containers: { containers } });
      }
      default:
        return Http.text(`Agent call '${type}' is not implemented by this agent yet`, 501);
    }
  }

  private executorInfo(t: LiveTask): Record<string, unknown> {
    return { executor_id: t.info.task_id, framework_id: { value: t.frameworkId }, name: `Command Executor (Task: ${t.info.task_id.value})`, type: 'DEFAULT', command: t.info.command ?? { value: 'true' }, resources: t.info.resources };
  }

  private operatorTasks(): Record<string, Task[]> {
    const launched: Task[] = [];
    const terminated: Task[] = [];
    const pending: Task[] = [];
    for (const t of this.tasks.values()) (isTerminalState(t.task.state) ? terminated : t.launched ? launched : pending).push(t.task);
    return { pending_tasks: pending, queued_tasks: [], launched_tasks: launched, terminated_tasks: terminated, completed_tasks: [...this.completed.values()].flatMap((list) => list.map((e) => e.task)) };
  }

  private operatorExecutors(): Record<string, unknown[]> {
    return {
      executors: [...this.tasks.values()].filter((t) => !t.ended).map((t) => ({ executor_info: this.executorInfo(t) })),
      completed_executors: [...this.completed.entries()].flatMap(([frameworkId, list]) => list.map((e) => ({ executor_info: { executor_id: { value: e.id }, framework_id: { value: frameworkId }, type: 'DEFAULT', resources: e.resources } }))),
    };
  }

  private operatorFrameworks(): Record<string, unknown[]> {
    return { frameworks: [...this.frameworks.values()].map((info) => ({ framework_info: info })), completed_frameworks: this.completedFrameworks.map((f) => ({ framework_info: f.info })) };
  }


  /** Installs a handler for a message from the master; messages from anyone else are dropped. */
  private handle<N extends InternalName>(name: N, apply: (from: Upid, body: InternalMessage<N>) => void): void {
    this.install(
      messageName(name),
      (from, body: InternalMessage<N>) => {
        const master = this.master;
        if (master === undefined || from.id !== master.id || from.address.host !== master.address.host || from.address.port !== master.address.port) {
          this.log.warn({ from: from.toString(), message: name }, 'Dropping a message that did not come from the master');
          return;
        }
        apply(from, body);
      },
      internalDecoder(name),
    );
  }

  protected override async initialize(): Promise<void> {
    this.startTimeMs = this.runtime.clock.now();
    this.options.metrics?.source('slave', () => this.metrics());
    this.options.metrics?.source('system', systemMetrics);
    if (this.options.recoverMode === 'cleanup') {
      await this.cleanupRecovered();
      return;
    }
    await this.recover();
    this.replayed = true;
    if (this.awaitingExecutors.size === 0) this.completeRecovery();
    else this.log.info({ executors: this.awaitingExecutors.size, timeoutMs: this.reregistrationTimeoutMs }, 'Waiting for recovered executors to subscribe again before registering');
    const retry = (): void => {
      const now = this.runtime.clock.now();
      if (this.registered && now - this.lastPingMs > this.pingTimeoutMs) {
        // The master stopped pinging: it has removed this agent (a partition) or lost it. Register again.
        this.log.warn({ silentMs: now - this.lastPingMs, timeoutMs: this.pingTimeoutMs }, 'No ping from the master within the timeout; registering again');
        this.registered = false;
        this.attempt = 0;
        this.register();
      }
      if (this.registered) for (const update of this.updates.due(now)) this.forward(update);
      this.delay(RETRY_TICK_MS, retry);
    };
    this.delay(RETRY_TICK_MS, retry);
  }

  /** Recovery is over: register with the master (if one is known). */
  private completeRecovery(): void {
    if (this.recovered) return;
    this.recovered = true;
    if (this.master !== undefined) {
      this.link(this.master);
      this.register();
    }
  }

  private get reregistrationTimeoutMs(): number {
    return this.options.executorReregistrationTimeoutMs ?? 2000;
  }

  /**
   * The leading master changed (ZooKeeper detection): forget the old one and (re-)register
   * with the new one after a short random delay, so a new leader is not stampeded.
   */
  masterDetected(next: Upid | undefined): void {
    if (next?.toString() === this.master?.toString()) return;
    this.log.info({ master: next?.toString() ?? null, previous: this.master?.toString() ?? null }, next === undefined ? 'No master is leading; waiting for one' : 'New leading master detected');
    if (this.master !== undefined) this.unlink(this.master);
    this.master = next;
    this.registered = false;
    this.attempt = 0;
    this.registerTimer?.cancel();
    if (next !== undefined && this.recovered) this.scheduleRegistration();
  }

  protected override exited(pid: Upid): void {
    if (pid.toString() !== this.master?.toString()) return;
    this.log.warn({ master: pid.toString() }, 'Lost the connection to the master; registering again');
    this.registered = false;
    this.scheduleRegistration();
  }

  /**
   * Recovers from the journal what a previous agent process left (Mesos's agent recovery):
   * frameworks, tasks with their containers (re-adopted from the containerizer's
   * checkpoints; one that ended meanwhile reports its real exit status), custom executors
   * (given `--executor_reregistration_timeout` to subscribe again), and status updates not yet
   * acknowledged (sent again after re-registering). Tasks whose launch was cut short fail with
   * `REASON_AGENT_RESTARTED`. The journal is then rewritten to just what still holds.
   */
  private async recover(): Promise<void> {
    const records = this.options.journal.replay();
    if (this.agentId === undefined || records.length === 0) return;
    interface Recovered {
      frameworkId: string;
      info: TaskInfo;
      sandbox: string;
      checkpoint: ContainerCheckpoint | undefined;
      updates: StatusUpdate[];
      acked: Set<string>;
      done: boolean;
      group: TaskGroupOf | undefined;
    }
    const tasks = new Map<string, Recovered>();
    /** Custom executors by `frameworkId/executorId`: the last container launched for each. */
    const executors = new Map<string, ExecutorRecord>();
    /** Containers of executors checkpointed in the older form, without their ExecutorInfo: destroyed. */
    const orphans: ContainerCheckpoint[] = [];
    let checkpointedResources: NonNullable<AgentInfo['resources']> | undefined;
    for (const record of records) {
      switch (record.k) {
        case 'resources':
          checkpointedResources = record.resources;
          break;
        case 'framework':
          if (record.info.id !== undefined) this.frameworks.set(record.info.id.value, record.info);
          break;
        case 'task':
          tasks.set(`${record.frameworkId}/${record.task.task_id.value}`, { frameworkId: record.frameworkId, info: record.task, sandbox: record.sandbox, checkpoint: undefined, updates: [], acked: new Set(), done: false, group: record.group });
          break;
        case 'container': {
          const task = tasks.get(`${record.frameworkId}/${record.taskId}`);
          if (task !== undefined && task.info.executor === undefined) task.checkpoint = record.checkpoint;
          else orphans.push(record.checkpoint);
          break;
        }
        case 'executor':
          executors.set(`${record.frameworkId}/${record.info.executor_id.value}`, {
            frameworkId: record.frameworkId,
            id: record.info.executor_id.value,
            info: record.info,
            containerId: record.checkpoint.containerId,
            sandbox: record.sandbox,
            checkpoint: record.checkpoint,
            state: 'REGISTERING',
            recovered: true,
            stream: undefined,
            queued: [],
            registrationTimer: undefined,
            endReason: undefined,
          });
          break;
        case 'executor-done': {
          const key = `${record.frameworkId}/${record.executorId}`;
          if (executors.get(key)?.containerId === record.containerId) executors.delete(key);
          break;
        }
        case 'update':
          tasks.get(`${record.update.framework_id.value}/${record.update.status.task_id.value}`)?.updates.push(record.update);
          break;
        case 'ack':
          tasks.get(`${record.frameworkId}/${record.taskId}`)?.acked.add(record.uuid);
          break;
        case 'task-done':
          tasks.delete(`${record.frameworkId}/${record.taskId}`);
          break;
        case 'framework-removed': {
          // What the master shut down comes back with nothing: what of it still runs is destroyed.
          // (Records after this one are the framework's again: the master launched more for it.)
          const frameworkId = record.frameworkId;
          this.frameworks.delete(frameworkId);
          for (const [key, task] of tasks) {
            if (task.frameworkId !== frameworkId) continue;
            if (task.checkpoint !== undefined) orphans.push(task.checkpoint);
            tasks.delete(key);
          }
          for (const [key, executor] of executors) {
            if (executor.frameworkId !== frameworkId) continue;
            if (executor.checkpoint !== undefined) orphans.push(executor.checkpoint);
            executors.delete(key);
          }
          break;
        }
        default:
          break;
      }
    }
    const now = this.runtime.clock.now();
    const adopt: ContainerCheckpoint[] = [];
    const recovered: LiveTask[] = [];
    for (const [key, task] of tasks) {
      const latest = task.updates.at(-1)?.status.state;
      const custom = task.info.executor !== undefined && task.info.command === undefined;
      const executor = custom ? executors.get(`${task.frameworkId}/${task.info.executor!.executor_id.value}`) : undefined;
      const live: LiveTask = {
        frameworkId: task.frameworkId,
        info: task.info,
        task: { name: task.info.name, task_id: task.info.task_id, framework_id: { value: task.frameworkId }, executor_id: task.info.executor?.executor_id ?? task.info.task_id, agent_id: { value: this.agentId }, state: latest ?? 'TASK_STAGING', resources: task.info.resources },
        containerId: executor?.containerId ?? task.checkpoint?.containerId ?? '',
        sandbox: task.sandbox,
        // A custom executor's task counts as launched once the executor reported on it; one still staging is settled when the executor subscribes again.
        launched: custom ? latest !== undefined : task.checkpoint !== undefined,
        killRequested: false,
        ended: latest !== undefined && isTerminalState(latest),
        group: task.group,
        ...(executor === undefined ? {} : { executor }),
        uuids: new Set(task.updates.map((u) => u.uuid)),
      };
      const pending = task.updates.filter((u) => !task.acked.has(u.uuid));
      if (live.ended && pending.length === 0) {
        // Ended and every update acknowledged: only the 'task-done' record was missing.
        tasks.delete(key);
        continue;
      }
      this.tasks.set(key, live);
      this.options.files?.attach(task.sandbox, task.sandbox);
      this.options.files?.attach(task.sandbox, latestPath(task.frameworkId, task.info.executor?.executor_id.value ?? task.info.task_id.value));
      for (const update of pending) this.updates.update(update, now);
      if (!live.ended && task.checkpoint !== undefined) adopt.push(task.checkpoint);
      recovered.push(live);
    }
    try {
      await this.options.containerizer.recover([...adopt, ...[...executors.values()].map((e) => e.checkpoint!), ...orphans]);
    } catch (error) {
      this.log.error({ err: String(error) }, 'Containerizer recovery failed');
    }
    const known = new Set(this.options.containerizer.containers());
    for (const checkpoint of orphans) {
      if (known.has(checkpoint.containerId)) this.options.containerizer.destroy(checkpoint.containerId, 0).catch(() => undefined);
    }
    for (const executor of executors.values()) this.readoptExecutor(executor, known.has(ContainerId(executor.containerId)));
    for (const live of recovered) {
      if (live.ended) continue;
      if (live.executor !== undefined) continue; // settled by its executor: subscribing again, or ending
      if (live.info.executor !== undefined && live.info.command === undefined) {
        live.ended = true;
        this.taskUpdate(live, 'TASK_FAILED', 'The agent restarted and the task\'s executor could not be recovered', 'REASON_AGENT_RESTARTED');
      } else if (!live.launched || !known.has(ContainerId(live.containerId))) {
        live.ended = true;
        this.taskUpdate(live, 'TASK_FAILED', live.launched ? 'The agent restarted and the container could not be recovered' : 'The agent restarted while the task was being launched', 'REASON_AGENT_RESTARTED');
      } else {
        this.options.containerizer.wait(ContainerId(live.containerId)).then(
          this.defer((termination: Termination) => this.taskEnded(live, termination)),
          this.defer((error: unknown) => this.taskEnded(live, { message: `Lost track of the container: ${String(error)}`, reason: 'REASON_EXECUTOR_TERMINATED' })),
        );
      }
    }
    this.compactJournal(tasks, checkpointedResources);
    this.log.info({ tasks: recovered.length, running: recovered.filter((t) => !t.ended).length, executors: this.awaitingExecutors.size, pendingUpdates: this.updates.size }, 'Recovered from the journal');
  }

  /**
   * A custom executor the previous agent process ran. If its container is still known it is
   * watched, and has `--executor_reregistration_timeout` to subscribe again; then it is
   * destroyed and its tasks are gone (lost to frameworks that are not partition-aware), as
   * Mesos's `Slave::reregisterExecutorTimeout` does.
   */
  private readoptExecutor(executor: ExecutorRecord, known: boolean): void {
    this.executors.set(`${executor.frameworkId}/${executor.id}`, executor);
    this.options.files?.attach(executor.sandbox, executor.sandbox);
    this.options.files?.attach(executor.sandbox, latestPath(executor.frameworkId, executor.id));
    if (!known) {
      executor.endReason = 'REASON_AGENT_RESTARTED';
      this.executorEnded(executor, 'The agent restarted and the executor\'s container could not be recovered');
      return;
    }
    this.awaitingExecutors.add(executor);
    this.watchExecutor(executor);
    const timeoutMs = this.reregistrationTimeoutMs;
    executor.registrationTimer = this.delay(timeoutMs, () => {
      if (executor.state !== 'REGISTERING') return;
      this.log.warn({ frameworkId: executor.frameworkId, executorId: executor.id, timeoutMs }, 'Recovered executor did not subscribe again in time; destroying it');
      executor.endReason = 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT';
      this.options.containerizer.destroy(ContainerId(executor.containerId), 0).catch(() => undefined);
      // Registration does not wait for the container to go.
      this.executorSettled(executor);
    });
  }

  /** A recovered executor subscribed again or was given up on: once none is left, recovery is complete. */
  private executorSettled(executor: ExecutorRecord): void {
    if (!this.awaitingExecutors.delete(executor)) return;
    if (this.awaitingExecutors.size === 0 && this.replayed) this.completeRecovery();
  }

  /**
   * `--recover=cleanup`: re-adopts what a previous agent process left only to kill it, forgets
   * everything but nothing else (the next start registers as a new agent), and asks to shut down.
   */
  private async cleanupRecovered(): Promise<void> {
    const checkpoints = this.options.journal.replay().flatMap((r) => (r.k === 'container' || r.k === 'executor' ? [r.checkpoint] : []));
    try {
      await this.options.containerizer.recover(checkpoints);
    } catch (error) {
      this.log.error({ err: String(error) }, 'Containerizer recovery failed');
    }
    const containers = this.options.containerizer.containers();
    await Promise.all(containers.map((id) => this.options.containerizer.destroy(id, 0).catch(() => undefined)));
    this.options.journal.rewrite([]);
    this.log.warn({ killed: containers.length }, 'Recovery cleanup: killed the containers a previous agent left, forgot its state');
    this.options.onShutdown?.('--recover=cleanup finished');
  }

  /** Rewrites the journal to the facts recovery kept (plus what recovery itself appended since). */
  private compactJournal(
    tasks: ReadonlyMap<string, { frameworkId: string; info: TaskInfo; sandbox: string; checkpoint: ContainerCheckpoint | undefined; updates: StatusUpdate[]; acked: Set<string>; group: TaskGroupOf | undefined }>,
    resources: NonNullable<AgentInfo['resources']> | undefined,
  ): void {
    const records: JournalRecord[] = [{ k: 'agent', info: { ...this.info, id: { value: this.agentId! } } }];
    if (resources !== undefined) records.push({ k: 'resources', resources });
    const executors = [...this.executors.values()].filter((e) => e.state !== 'TERMINATED' && e.checkpoint !== undefined);
    const frameworks = new Set([...tasks.values(), ...executors].map((t) => t.frameworkId));
    for (const id of frameworks) {
      const info = this.frameworks.get(id);
      if (info !== undefined) records.push({ k: 'framework', info });
    }
    for (const e of executors) records.push({ k: 'executor', frameworkId: e.frameworkId, info: e.info, sandbox: e.sandbox, checkpoint: e.checkpoint! });
    for (const task of tasks.values()) {
      records.push({ k: 'task', frameworkId: task.frameworkId, task: task.info, sandbox: task.sandbox, ...(task.group === undefined ? {} : { group: task.group }) });
      if (task.checkpoint !== undefined) records.push({ k: 'container', frameworkId: task.frameworkId, taskId: task.info.task_id.value, checkpoint: task.checkpoint });
      // The last acknowledged update keeps the task's state for the next recovery; pending ones follow it.
      const lastAcked = task.updates.filter((u) => task.acked.has(u.uuid)).at(-1);
      if (lastAcked !== undefined) records.push({ k: 'update', update: lastAcked }, { k: 'ack', frameworkId: task.frameworkId, taskId: task.info.task_id.value, uuid: lastAcked.uuid });
      for (const update of this.updates.pendingFor(task.frameworkId, task.info.task_id.value)) records.push({ k: 'update', update });
    }
    this.options.journal.rewrite(records);
  }

  private scheduleRegistration(): void {
    this.registerTimer?.cancel();
    // Mesos's agent waits a random time up to factor * 2^attempt, so a restarted master is not stampeded.
    const ceiling = Math.min(this.options.registrationBackoffMs * 2 ** this.attempt, MAX_REGISTRATION_BACKOFF_MS);
    this.attempt++;
    this.registerTimer = this.delay(this.runtime.random.next() * ceiling, () => {
      if (this.master === undefined) return;
      this.link(this.master);
      this.register();
    });
  }

  private register(): void {
    const master = this.master;
    if (this.registered || master === undefined) return;
    const info: AgentInfo = { ...this.info, ...(this.agentId === undefined ? {} : { id: { value: this.agentId } }) };
    if (this.agentId === undefined) {
      this.send(master, messageName('RegisterAgent'), { version: PROTOCOL_VERSION, agent_info: info });
    } else {
      const tasks = [...this.tasks.values()].map((t) => t.task);
      const executorInfos = [...this.executors.values()].filter((e) => e.state !== 'TERMINATED').map((e) => ({ ...e.info, framework_id: { value: e.frameworkId } }));
      // Task groups' executors that still have a task running.
      const groups = new Map<string, (typeof executorInfos)[number]>();
      for (const live of this.tasks.values()) {
        if (live.group === undefined || isTerminalState(live.task.state)) continue;
        groups.set(`${live.frameworkId}/${live.group.executor.executor_id.value}`, { ...live.group.executor, framework_id: { value: live.frameworkId } });
      }
      executorInfos.push(...groups.values());
      this.send(master, messageName('ReregisterAgent'), { version: PROTOCOL_VERSION, agent_info: info, tasks, executor_infos: executorInfos, frameworks: [...this.frameworks.values()] });
    }
    this.scheduleRegistration();
  }

  private registeredAs(agentId: string, reregistered: boolean, pingTimeoutSeconds: number | undefined): void {
    this.registerTimer?.cancel();
    this.attempt = 0;
    this.lastPingMs = this.runtime.clock.now();
    if (pingTimeoutSeconds !== undefined) this.pingTimeoutMs = pingTimeoutSeconds * 1000;
    if (this.agentId === undefined || this.agentId !== agentId) {
      this.agentId = agentId;
      this.options.journal.append({ k: 'agent', info: { ...this.info, id: { value: agentId } } });
    }
    const first = !this.registered;
    this.registered = true;
    if (first) this.log.info({ agentId, reregistered }, reregistered ? 'Re-registered with the master' : 'Registered with the master');
    // Whatever the master may have missed while we were apart goes out again now.
    if (reregistered) for (const update of this.updates.flush(this.runtime.clock.now())) this.forward(update);
  }

  /**
   * The master changed this agent's resources (reservations, persistent volumes): checkpoint
   * them (a restarted agent announces them again), create the directories of new volumes and
   * delete those of destroyed ones, as Mesos's agent does.
   */
  private checkpointResources(json: NonNullable<AgentInfo['resources']>): void {
    const parsed = Resources.fromJson(json);
    if (!parsed.ok) {
      this.log.warn({ err: parsed.error }, 'Dropping a CheckpointResources with invalid resources');
      return;
    }
    this.options.journal.append({ k: 'resources', resources: json });
    const before = volumePaths(this.options.workDir, this.total);
    const after = volumePaths(this.options.workDir, parsed.value);
    const change = (what: string, path: string, act: () => void): void => {
      try {
        act();
      } catch (error) {
        this.log.warn({ path, err: String(error) }, `Cannot ${what} a persistent volume's directory`);
      }
    };
    for (const path of after.keys()) if (!before.has(path)) change('create', path, () => mkdirSync(path, { recursive: true }));
    for (const path of before.keys()) if (!after.has(path)) change('remove', path, () => rmSync(path, { recursive: true, force: true }));
    this.total = parsed.value;
    this.info = { ...this.info, resources: json };
    this.log.info({ resources: parsed.value.toString() }, 'Checkpointed resources from the master');
  }

  private runTask(framework: FrameworkInfo, info: TaskInfo, group: TaskGroupOf | undefined): void {
    const frameworkId = framework.id?.value;
    if (frameworkId === undefined || this.agentId === undefined) return;
    const taskId = info.task_id.value;
    // IDs become directory names under the work dir (a task ID '..' would put its sandbox
    // beside its framework's executors). The master refuses such tasks; one that comes anyway is dropped.
    const badId = idError(frameworkId) ?? idError(taskId) ?? (info.executor === undefined ? undefined : idError(info.executor.executor_id.value));
    if (badId !== undefined) {
      this.log.warn({ frameworkId, taskId }, `Dropping a task with an invalid ID: ${badId}`);
      return;
    }
    const key = `${frameworkId}/${taskId}`;
    if (this.tasks.has(key)) {
      this.log.warn({ frameworkId, taskId }, 'Ignoring a duplicate RunTask');
      return;
    }
    if (!this.frameworks.has(frameworkId)) {
      this.frameworks.set(frameworkId, framework);
      this.options.journal.append({ k: 'framework', info: framework });
    }
    this.removedFrameworks.delete(frameworkId);
    if (info.executor !== undefined && info.command === undefined) {
      this.runOnExecutor(frameworkId, info, info.executor);
      return;
    }
    const containerId = ContainerId(this.uuid());
    const sandbox = join(this.options.workDir, 'slaves', this.agentId, 'frameworks', frameworkId, 'executors', taskId, 'runs', containerId);
    const live: LiveTask = {
      frameworkId,
      info,
      task: { name: info.name, task_id: info.task_id, framework_id: { value: frameworkId }, executor_id: info.task_id, agent_id: { value: this.agentId }, state: 'TASK_STAGING', resources: info.resources },
      containerId,
      sandbox,
      launched: false,
      killRequested: false,
      ended: false,
      group,
      uuids: new Set(),
    };
    this.tasks.set(key, live);
    this.endsReported.delete(key);
    this.options.journal.append({ k: 'task', frameworkId, task: info, sandbox, ...(group === undefined ? {} : { group }) });
    const resources = Resources.fromJson(info.resources);
    if (!resources.ok) {
      this.taskUpdate(live, 'TASK_FAILED', `Task resources are invalid: ${resources.error}`, 'REASON_TASK_INVALID');
      return;
    }
    try {
      makeSandbox(sandbox);
    } catch (error) {
      this.taskUpdate(live, 'TASK_FAILED', `Cannot create sandbox: ${String(error)}`, 'REASON_CONTAINER_LAUNCH_FAILED');
      return;
    }
    // Persistent volumes appear in the sandbox at their container path (a link: posix isolation has no mounts).
    for (const [path, volume] of volumePaths(this.options.workDir, resources.value)) {
      try {
        mkdirSync(path, { recursive: true });
        const link = join(sandbox, volume.containerPath);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(path, link);
      } catch (error) {
        this.taskUpdate(live, 'TASK_FAILED', `Cannot mount persistent volume '${volume.id}': ${String(error)}`, 'REASON_CONTAINER_LAUNCH_FAILED');
        return;
      }
    }
    // Mesos shows a sandbox at its real path and at `/frameworks/F/executors/E/runs/latest`.
    this.options.files?.attach(sandbox, sandbox);
    this.options.files?.attach(sandbox, latestPath(frameworkId, taskId));
    const environment = {
      MESOS_SANDBOX: sandbox,
      MESOS_DIRECTORY: sandbox,
      MESOS_TASK_ID: taskId,
      MESOS_EXECUTOR_ID: taskId,
      MESOS_FRAMEWORK_ID: frameworkId,
      MESOS_AGENT_ID: this.agentId,
      MESOS_SLAVE_ID: this.agentId,
    };
    this.options.journal.flush(); // the task is on disk before its container exists
    const launched = this.options.containerizer.launch({
      containerId,
      sandboxDir: sandbox,
      command: info.command ?? { value: 'true' },
      environment,
      resources: resources.value,
      ...(info.container === undefined ? {} : { container: info.container }),
      ...(info.command?.user === undefined ? {} : { user: info.command.user }),
      labels: { 'ts-mesos.framework': frameworkId, 'ts-mesos.task': taskId },
      // The agent is this task's executor: past --recovery_timeout without a restarted agent the
      // task is ended, as Mesos's command executor ends it.
      orphanTimeoutMs: this.options.recoveryTimeoutMs ?? 15 * 60_000,
    });
    // The launch runs outside the mailbox: other tasks launch meanwhile; the outcome comes back through defer.
    launched.then(
      this.defer((checkpoint) => {
        this.options.journal.append({ k: 'container', frameworkId, taskId, checkpoint });
        live.launched = true;
        this.options.containerizer.wait(containerId).then(
          this.defer((termination: Termination) => this.taskEnded(live, termination)),
          this.defer((error: unknown) => this.taskEnded(live, { message: `Lost track of the container: ${String(error)}`, reason: 'REASON_EXECUTOR_TERMINATED' })),
        );
        if (live.killRequested) this.destroy(live, undefined);
        else this.taskUpdate(live, 'TASK_RUNNING', undefined, undefined);
      }),
      this.defer((error: unknown) => {
        live.ended = true;
        this.stats.containerLaunchErrors++;
        this.taskUpdate(live, 'TASK_FAILED', `Failed to launch container: ${error instanceof Error ? error.message : String(error)}`, 'REASON_CONTAINER_LAUNCH_FAILED');
      }),
    );
  }

  // ---------------------------------------------------------------- custom executors

  /** A task for a custom executor: launched on it when it runs, queued while it subscribes, or it is started first. */
  private runOnExecutor(frameworkId: string, info: TaskInfo, executorInfo: ExecutorInfo): void {
    const executorId = executorInfo.executor_id.value;
    let executor = this.executors.get(`${frameworkId}/${executorId}`);
    if (executor === undefined || executor.state === 'TERMINATED') {
      const started = this.startExecutor(frameworkId, executorInfo);
      if (started === undefined) {
        this.taskUpdate(this.executorTask(frameworkId, info, undefined), 'TASK_FAILED', 'Cannot create the executor sandbox', 'REASON_CONTAINER_LAUNCH_FAILED');
        return;
      }
      executor = started;
    }
    const live = this.executorTask(frameworkId, info, executor);
    this.options.journal.append({ k: 'task', frameworkId, task: info, sandbox: executor.sandbox });
    if (executor.state === 'RUNNING' && executor.stream !== undefined) {
      live.launched = true;
      executor.stream.push({ type: 'LAUNCH', launch: { task: info } } satisfies ExecutorEvent);
    } else {
      executor.queued.push(info);
    }
  }

  private executorTask(frameworkId: string, info: TaskInfo, executor: ExecutorRecord | undefined): LiveTask {
    const live: LiveTask = {
      frameworkId,
      info,
      task: { name: info.name, task_id: info.task_id, framework_id: { value: frameworkId }, executor_id: info.executor!.executor_id, agent_id: { value: this.agentId! }, state: 'TASK_STAGING', resources: info.resources },
      containerId: executor?.containerId ?? '',
      sandbox: executor?.sandbox ?? '',
      launched: false,
      killRequested: false,
      ended: false,
      group: undefined,
      ...(executor === undefined ? {} : { executor }),
      uuids: new Set(),
    };
    this.tasks.set(`${frameworkId}/${info.task_id.value}`, live);
    this.endsReported.delete(`${frameworkId}/${info.task_id.value}`);
    return live;
  }

  /** Launches a custom executor's container; it has `--executor_registration_timeout` to subscribe. */
  private startExecutor(frameworkId: string, info: ExecutorInfo): ExecutorRecord | undefined {
    const executorId = info.executor_id.value;
    const containerId = ContainerId(this.uuid());
    const sandbox = join(this.options.workDir, 'slaves', this.agentId!, 'frameworks', frameworkId, 'executors', executorId, 'runs', containerId);
    try {
      makeSandbox(sandbox);
    } catch {
      return undefined;
    }
    this.options.files?.attach(sandbox, sandbox);
    this.options.files?.attach(sandbox, latestPath(frameworkId, executorId));
    const executor: ExecutorRecord = { frameworkId, id: executorId, info: { ...info, framework_id: { value: frameworkId } }, containerId, sandbox, state: 'REGISTERING', recovered: false, checkpoint: undefined, stream: undefined, queued: [], registrationTimer: undefined, endReason: undefined };
    this.executors.set(`${frameworkId}/${executorId}`, executor);
    const address = this.self().address;
    const graceMs = this.options.killGracePeriodMs;
    const resources = Resources.fromJson(info.resources ?? []);
    this.options.journal.flush(); // the task is on disk before its container exists
    const launched = this.options.containerizer.launch({
      containerId,
      sandboxDir: sandbox,
      command: info.command ?? { value: 'true' },
      environment: {
        MESOS_FRAMEWORK_ID: frameworkId,
        MESOS_EXECUTOR_ID: executorId,
        MESOS_DIRECTORY: sandbox,
        MESOS_SANDBOX: sandbox,
        MESOS_AGENT_ENDPOINT: `${address.host}:${address.port}`,
        MESOS_AGENT_ID: this.agentId!,
        MESOS_SLAVE_ID: this.agentId!,
        // This agent checkpoints every framework's executors and recovers them after a restart,
        // so executors are told to wait for it (docs/executor-http-api.md, "Disconnections").
        MESOS_CHECKPOINT: '1',
        MESOS_RECOVERY_TIMEOUT: formatDurationMs(this.options.recoveryTimeoutMs ?? 15 * 60_000),
        // Mesos gives executors --executor_reregistration_timeout as their longest wait between attempts.
        MESOS_SUBSCRIPTION_BACKOFF_MAX: formatDurationMs(this.reregistrationTimeoutMs),
        MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: formatDurationMs(graceMs),
      },
      resources: resources.ok ? resources.value : Resources.EMPTY,
      ...(info.container === undefined ? {} : { container: info.container }),
      ...(info.command?.user === undefined ? {} : { user: info.command.user }),
      labels: { 'ts-mesos.framework': frameworkId, 'ts-mesos.executor': executorId },
    });
    launched.then(
      this.defer((checkpoint) => {
        executor.checkpoint = checkpoint;
        this.options.journal.append({ k: 'executor', frameworkId, info: executor.info, sandbox, checkpoint });
        this.watchExecutor(executor);
      }),
      this.defer((error: unknown) => {
        this.stats.containerLaunchErrors++;
        executor.endReason = 'REASON_CONTAINER_LAUNCH_FAILED';
        this.executorEnded(executor, `Failed to launch the executor: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
    const timeoutMs = this.options.executorRegistrationTimeoutMs ?? 60_000;
    executor.registrationTimer = this.delay(timeoutMs, () => {
      if (executor.state !== 'REGISTERING') return;
      this.log.warn({ frameworkId, executorId, timeoutMs }, 'Executor did not subscribe in time; destroying it');
      executor.endReason = 'REASON_EXECUTOR_REGISTRATION_TIMEOUT';
      this.options.containerizer.destroy(ContainerId(containerId), 0).catch(() => undefined);
    });
    return executor;
  }

  /** Reports the end of the executor's container when it comes. */
  private watchExecutor(executor: ExecutorRecord): void {
    this.options.containerizer.wait(ContainerId(executor.containerId)).then(
      this.defer((termination: Termination) => this.executorEnded(executor, termination.message)),
      this.defer((error: unknown) => this.executorEnded(executor, `Lost track of the executor's container: ${String(error)}`)),
    );
  }

  /**
   * The executor's container ended: its tasks that have not ended fail (or are killed, if
   * asked), queued ones are lost. After a re-registration timeout they are gone instead: the
   * agent cannot tell what became of them (TASK_LOST to frameworks that are not partition-aware).
   */
  private executorEnded(executor: ExecutorRecord, message: string): void {
    if (executor.state === 'TERMINATED') return;
    executor.state = 'TERMINATED';
    executor.registrationTimer?.cancel();
    executor.stream?.close();
    executor.stream = undefined;
    this.stats.executorsTerminated++;
    if (this.executors.get(`${executor.frameworkId}/${executor.id}`) === executor) this.executors.delete(`${executor.frameworkId}/${executor.id}`);
    if (executor.checkpoint !== undefined) this.options.journal.append({ k: 'executor-done', frameworkId: executor.frameworkId, executorId: executor.id, containerId: executor.containerId });
    const reason = executor.endReason ?? 'REASON_EXECUTOR_TERMINATED';
    const gone = reason === 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT';
    const partitionAware = this.frameworks.get(executor.frameworkId)?.capabilities?.some((c) => c.type === 'PARTITION_AWARE') === true;
    for (const live of [...this.tasks.values()]) {
      if (live.executor !== executor || live.ended || isTerminalState(live.task.state)) continue;
      live.ended = true;
      if (gone) this.taskUpdate(live, partitionAware ? 'TASK_GONE' : 'TASK_LOST', `Executor did not subscribe again within ${formatDurationMs(this.reregistrationTimeoutMs)} of the agent's restart`, reason);
      else if (live.killRequested) this.taskUpdate(live, 'TASK_KILLED', `Executor terminated: ${message}`, undefined);
      else this.taskUpdate(live, 'TASK_FAILED', `Executor terminated: ${message}`, reason);
    }
    this.executorSettled(executor);
    // The master gives the executor's resources back (Mesos's ExitedExecutorMessage).
    if (this.registered && this.master !== undefined && this.agentId !== undefined) {
      this.send(this.master, messageName('ExitedExecutor'), { agent_id: { value: this.agentId }, framework_id: { value: executor.frameworkId }, executor_id: { value: executor.id } });
    }
    this.forgetIfDone(executor.frameworkId);
  }

  /** `POST /api/v1/executor`: the v1 Executor API (docs/executor-http-api.md). */
  private executorApi(request: HttpRequest): HttpResponse {
    const refused = Http.refuseUnlessJsonPost(request);
    if (refused !== undefined) return refused;
    const decoded = decodeJson(decodeExecutorCall, new TextDecoder().decode(request.body));
    if (!decoded.ok) return Http.badRequest(`Failed to validate executor::Call: ${decoded.error}`);
    const call = decoded.value;
    if (!this.replayed) return Http.serviceUnavailable('The agent is recovering; subscribe again shortly');
    const executor = this.executors.get(`${call.framework_id.value}/${call.executor_id.value}`);
    if (executor === undefined || executor.state === 'TERMINATED') return Http.badRequest(`Executor '${call.executor_id.value}' of framework '${call.framework_id.value}' is not known to this agent`);
    switch (call.type) {
      case 'SUBSCRIBE':
        // Too late: the agent gave up on it (a registration timeout) and is destroying it.
        if (executor.endReason !== undefined) return Http.badRequest(`Executor '${executor.id}' of framework '${executor.frameworkId}' is being destroyed (${executor.endReason})`);
        return this.executorSubscribe(executor, request, call.subscribe ?? {});
      case 'UPDATE':
        return this.executorUpdate(executor, call.update!.status);
      case 'MESSAGE':
        if (this.master !== undefined) this.send(this.master, messageName('ExecutorToFramework'), { agent_id: { value: this.agentId! }, framework_id: { value: executor.frameworkId }, executor_id: { value: executor.id }, data: call.message!.data });
        return Http.accepted();
      case 'HEARTBEAT':
        return Http.accepted();
    }
    return Http.badRequest(`Unknown executor call '${String(call.type)}'`);
  }

  /**
   * SUBSCRIBE: opens the executor's event stream. An executor subscribing again (after its
   * connection broke, or after this agent restarted) brings the updates the agent has not
   * acknowledged, taken now unless already taken (by uuid), and the tasks it holds none of
   * whose updates were acknowledged; after a restart, a task still staging that the executor
   * does not hold never reached it and is lost (Mesos: "Task launched during agent restart").
   */
  private executorSubscribe(executor: ExecutorRecord, request: HttpRequest, subscribe: NonNullable<ExecutorCall['subscribe']>): HttpResponse {
    const reconnecting = executor.recovered && executor.state === 'REGISTERING';
    executor.stream?.close();
    const stream = new RecordIoStream(this.uuid());
    executor.stream = stream;
    executor.state = 'RUNNING';
    executor.registrationTimer?.cancel();
    const framework = this.frameworks.get(executor.frameworkId);
    stream.push({
      type: 'SUBSCRIBED',
      subscribed: { executor_info: executor.info, framework_info: framework ?? { user: '', name: '' }, agent_info: { ...this.info, ...(this.agentId === undefined ? {} : { id: { value: this.agentId } }) }, container_id: { value: executor.containerId } },
    } satisfies ExecutorEvent);
    for (const task of executor.queued.splice(0)) {
      const live = this.tasks.get(`${executor.frameworkId}/${task.task_id.value}`);
      if (live === undefined || live.ended) continue;
      live.launched = true;
      stream.push({ type: 'LAUNCH', launch: { task } } satisfies ExecutorEvent);
    }
    for (const { status } of subscribe.unacknowledged_updates ?? []) {
      const answer = this.executorUpdate(executor, status);
      if (answer.status !== 202) this.log.warn({ executorId: executor.id, taskId: status.task_id.value, status: answer.status, answer: answer.body }, 'Dropping an unacknowledged update an executor sent again');
    }
    if (reconnecting) this.reconnected(executor, new Set((subscribe.unacknowledged_tasks ?? []).map((t) => t.task_id.value)));
    // Kills asked while the executor was away (a kill reaching it twice is harmless: the task has one end).
    for (const live of this.tasks.values()) {
      if (live.executor === executor && live.launched && live.killRequested && !live.ended) stream.push({ type: 'KILL', kill: { task_id: live.info.task_id } } satisfies ExecutorEvent);
    }
    const closed = this.defer(() => {
      stream.close();
      if (executor.stream === stream) executor.stream = undefined;
    });
    request.signal.addEventListener('abort', () => closed(), { once: true });
    this.log.info({ frameworkId: executor.frameworkId, executorId: executor.id, again: reconnecting || undefined }, reconnecting ? 'Recovered executor subscribed again' : 'Executor subscribed');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: stream };
  }

  /** A recovered executor is back: settle its tasks still staging, and let recovery complete. */
  private reconnected(executor: ExecutorRecord, heldTasks: ReadonlySet<string>): void {
    executor.recovered = false;
    const partitionAware = this.frameworks.get(executor.frameworkId)?.capabilities?.some((c) => c.type === 'PARTITION_AWARE') === true;
    for (const live of [...this.tasks.values()]) {
      if (live.executor !== executor || live.ended) continue;
      if (live.task.state === 'TASK_STAGING' && !heldTasks.has(live.info.task_id.value)) {
        live.ended = true;
        this.taskUpdate(live, partitionAware ? 'TASK_DROPPED' : 'TASK_LOST', 'Task launched during agent restart', 'REASON_AGENT_RESTARTED');
        continue;
      }
      live.launched = true;
    }
    this.executorSettled(executor);
  }

  private executorUpdate(executor: ExecutorRecord, status: TaskStatus): HttpResponse {
    const live = this.tasks.get(`${executor.frameworkId}/${status.task_id.value}`);
    if (live === undefined || live.executor !== executor) return Http.badRequest(`Task '${status.task_id.value}' is not a task of executor '${executor.id}'`);
    if (status.state === 'TASK_STAGING') return Http.badRequest('An executor cannot send TASK_STAGING');
    if (status.uuid === undefined || status.uuid === '') return Http.badRequest("An update needs 'status.uuid'");
    // Taken before (sent again after a broken connection): acknowledged again, not applied twice.
    if (!live.uuids.has(status.uuid)) {
      if (isTerminalState(live.task.state)) return Http.conflict(`Task '${status.task_id.value}' has already ended (${live.task.state})`);
      if (isTerminalState(status.state)) live.ended = true;
      this.taskUpdate(live, status.state, status.message, status.reason, status);
    }
    // The update is checkpointed: the executor may forget it (Mesos acknowledges to the executor once it is, not when the framework does).
    executor.stream?.push({ type: 'ACKNOWLEDGED', acknowledged: { task_id: status.task_id, uuid: status.uuid } } satisfies ExecutorEvent);
    return Http.accepted();
  }

  private taskEnded(live: LiveTask, termination: Termination): void {
    if (live.ended) return;
    live.ended = true;
    this.stats.executorsTerminated++;
    const state: TaskState = live.killRequested ? 'TASK_KILLED' : termination.reason !== undefined || termination.exitCode !== 0 ? 'TASK_FAILED' : 'TASK_FINISHED';
    this.taskUpdate(live, state, termination.message, state === 'TASK_FAILED' ? termination.reason : undefined);
    if (state !== 'TASK_FINISHED' && live.group !== undefined) {
      for (const other of live.group.tasks) {
        const peer = this.tasks.get(`${live.frameworkId}/${other}`);
        if (peer !== undefined && peer !== live && !peer.ended) this.killTask(live.frameworkId, other, undefined);
      }
    }
  }

  private killTask(frameworkId: string, taskId: string, graceNanos: number | undefined): void {
    const live = this.tasks.get(`${frameworkId}/${taskId}`);
    if (live === undefined) {
      // Mesos's agent answers a kill of a task it never launched with TASK_DROPPED (LOST): a
      // framework killing a task stuck in STAGING (its RunTask lost) learns that it ended.
      this.log.warn({ frameworkId, taskId }, 'Asked to kill an unknown task');
      this.reportUnknown(frameworkId, { value: taskId }, 'REASON_EXECUTOR_TERMINATED', 'Task unknown to the agent: it was never launched here');
      return;
    }
    if (live.ended || live.killRequested) return;
    live.killRequested = true;
    if (live.executor !== undefined) {
      // A custom executor kills its own tasks; one still queued for it never starts.
      const queued = live.executor.queued.findIndex((t) => t.task_id.value === taskId);
      if (queued >= 0) {
        live.executor.queued.splice(queued, 1);
        live.ended = true;
        this.taskUpdate(live, 'TASK_KILLED', 'Killed before its executor subscribed', undefined);
      } else {
        live.executor.stream?.push({ type: 'KILL', kill: { task_id: live.info.task_id, ...(graceNanos === undefined ? {} : { kill_policy: { grace_period: { nanoseconds: graceNanos } } }) } } satisfies ExecutorEvent);
      }
      return;
    }
    if (!live.launched) return; // killed as soon as the launch completes
    const framework = this.frameworks.get(frameworkId);
    if (framework?.capabilities?.some((c) => c.type === 'TASK_KILLING_STATE') === true) this.taskUpdate(live, 'TASK_KILLING', undefined, undefined);
    this.destroy(live, graceNanos === undefined ? undefined : graceNanos / 1e6);
  }

  private destroy(live: LiveTask, graceMs: number | undefined): void {
    const grace = graceMs ?? (live.info.kill_policy?.grace_period?.nanoseconds ?? this.options.killGracePeriodMs * 1e6) / 1e6;
    this.options.containerizer.destroy(ContainerId(live.containerId), grace).catch(
      this.defer((error: unknown) => this.log.warn({ containerId: live.containerId, err: String(error) }, 'Failed to destroy a container')),
    );
  }

  private shutdownFramework(frameworkId: string): void {
    // The master tells every agent; one that never ran the framework has nothing to do (Mesos: "unknown framework").
    if (!this.frameworks.has(frameworkId)) return;
    this.removedFrameworks.add(frameworkId);
    this.options.journal.append({ k: 'framework-removed', frameworkId });
    this.updates.removeFramework(frameworkId);
    for (const live of [...this.tasks.values()]) {
      if (live.frameworkId !== frameworkId) continue;
      // One that ended waits for no acknowledgement now; the others end as they are killed.
      if (live.ended) this.retire(live);
      else if (live.executor === undefined) this.killTask(frameworkId, live.task.task_id.value, undefined);
    }
    for (const executor of [...this.executors.values()]) if (executor.frameworkId === frameworkId) this.shutdownExecutor(executor);
    this.forgetIfDone(frameworkId);
  }

  /**
   * A framework the master shut down, once nothing of it runs here: it moves to the completed
   * frameworks (the last MAX_COMPLETED_FRAMEWORKS, with their completed executors), as Mesos's
   * agent moves it. Until then `frameworks` kept every framework that ever ran here.
   */
  private forgetIfDone(frameworkId: string): void {
    if (!this.removedFrameworks.has(frameworkId)) return;
    for (const live of this.tasks.values()) if (live.frameworkId === frameworkId) return;
    for (const executor of this.executors.values()) if (executor.frameworkId === frameworkId && executor.state !== 'TERMINATED') return;
    const info = this.frameworks.get(frameworkId);
    if (info === undefined) return;
    this.frameworks.delete(frameworkId);
    for (const [key, executor] of this.executors) if (executor.frameworkId === frameworkId) this.executors.delete(key);
    this.completedFrameworks.push({ id: frameworkId, info, executors: this.completed.get(frameworkId) ?? [] });
    this.completed.delete(frameworkId);
    if (this.completedFrameworks.length > MAX_COMPLETED_FRAMEWORKS) {
      const dropped = this.completedFrameworks.shift()!;
      for (const e of dropped.executors) {
        this.options.files?.detach(e.directory);
        this.options.files?.detach(latestPath(dropped.id, e.id));
      }
    }
  }

  /** SHUTDOWN to a custom executor; its container is destroyed if it is still there after the grace period. */
  private shutdownExecutor(executor: ExecutorRecord): void {
    if (executor.state === 'TERMINATED') return;
    for (const live of this.tasks.values()) if (live.executor === executor) live.killRequested = true;
    executor.stream?.push({ type: 'SHUTDOWN' } satisfies ExecutorEvent);
    this.delay(executor.stream === undefined ? 0 : this.options.killGracePeriodMs, () => {
      if (executor.state !== 'TERMINATED') this.options.containerizer.destroy(ContainerId(executor.containerId), 0).catch(() => undefined);
    });
  }

  private shutdown(message: string): void {
    this.log.warn({ reason: message }, 'Master asked this agent to shut down');
    for (const live of this.tasks.values()) this.killTask(live.frameworkId, live.task.task_id.value, undefined);
    this.options.onShutdown?.(message);
  }

  /** Records and sends a status update; `from` is an executor's own status (its uuid, data, labels, health kept). */
  /**
   * The last running task of a task group's executor ended: the executor is done (Mesos's
   * default executor exits then), and the master gives back the resources it held.
   */
  private groupTaskEnded(live: LiveTask, group: TaskGroupOf): void {
    const executorId = group.executor.executor_id.value;
    for (const other of this.tasks.values()) {
      if (other !== live && other.frameworkId === live.frameworkId && other.group?.executor.executor_id.value === executorId && !isTerminalState(other.task.state)) return;
    }
    if (this.registered && this.master !== undefined && this.agentId !== undefined) {
      this.send(this.master, messageName('ExitedExecutor'), { agent_id: { value: this.agentId }, framework_id: { value: live.frameworkId }, executor_id: { value: executorId } });
    }
  }

  private taskUpdate(live: LiveTask, state: TaskState, message: string | undefined, reason: TaskReason | undefined, from?: TaskStatus): void {
    const ending = !isTerminalState(live.task.state) && isTerminalState(state);
    if (ending) this.stats.terminalTasks[state] = (this.stats.terminalTasks[state] ?? 0) + 1;
    live.task.state = state;
    if (ending && live.group !== undefined) this.groupTaskEnded(live, live.group);
    const now = this.runtime.clock.now();
    const statuses = (live.task.statuses ??= []);
    statuses.push({ task_id: live.info.task_id, state, timestamp: now / 1000 });
    if (statuses.length > 10) statuses.shift();
    if (this.removedFrameworks.has(live.frameworkId)) {
      // Nobody will acknowledge: the framework is gone. The task is done once it has ended.
      if (isTerminalState(state)) {
        this.retire(live);
        this.options.journal.append({ k: 'task-done', frameworkId: live.frameworkId, taskId: live.info.task_id.value });
        this.forgetIfDone(live.frameworkId);
      }
      return;
    }
    const uuid = from?.uuid ?? Buffer.from(this.randomBytes(16)).toString('base64');
    live.uuids.add(uuid);
    const executorId = live.executor === undefined ? live.info.task_id : { value: live.executor.id };
    const update: StatusUpdate = {
      framework_id: { value: live.frameworkId },
      executor_id: executorId,
      agent_id: { value: this.agentId! },
      status: {
        ...(from === undefined ? {} : from),
        task_id: live.info.task_id,
        state,
        source: 'SOURCE_EXECUTOR',
        ...(message === undefined ? {} : { message }),
        ...(reason === undefined ? {} : { reason }),
        agent_id: { value: this.agentId! },
        executor_id: executorId,
        timestamp: from?.timestamp ?? now / 1000,
        uuid,
      },
      timestamp: now / 1000,
      uuid,
    };
    this.options.journal.append({ k: 'update', update });
    const send = this.updates.update(update, now);
    if (send !== undefined) this.forward(send);
  }

  private forward(update: StatusUpdate): void {
    if (this.registered && this.master !== undefined) this.send(this.master, messageName('StatusUpdate'), update);
  }

  /**
   * The master names tasks it expected this agent to report when it re-registered (Mesos's
   * `Slave::reconcileTasks`). A task the agent knows needs nothing: its own updates follow.
   * One it does not know never reached it: it is reported TASK_LOST (TASK_DROPPED to a
   * partition-aware framework), reliably, through the status update manager.
   */
  private reconcileTasks(frameworkId: string, statuses: readonly TaskStatus[]): void {
    for (const { task_id } of statuses) this.reportUnknown(frameworkId, task_id, 'REASON_RECONCILIATION', 'Reconciliation: task unknown to the agent');
  }

  /**
   * A task the master believes is here and this agent never got (its RunTask was lost): a
   * TASK_DROPPED (TASK_LOST to a framework that is not partition-aware) update, sent and
   * retried like any other, once per task. Even for a framework this agent was told to shut
   * down: the master asking still knows it (it launched the task after the shutdown), and only
   * this answer ends the task there. A task it has, or has updates pending for, is left alone.
   */
  private reportUnknown(frameworkId: string, taskId: TaskStatus['task_id'], reason: 'REASON_RECONCILIATION' | 'REASON_EXECUTOR_TERMINATED', message: string): void {
    const agentId = this.agentId;
    if (agentId === undefined) return;
    const key = `${frameworkId}/${taskId.value}`;
    if (this.tasks.has(key) || this.updates.pendingFor(frameworkId, taskId.value).length > 0) return;
    if (this.endsReported.has(key)) {
      this.log.info({ frameworkId, taskId: taskId.value }, 'The end of this task was already reported; not again');
      return;
    }
    const partitionAware = this.frameworks.get(frameworkId)?.capabilities?.some((c) => c.type === 'PARTITION_AWARE') === true;
    const now = this.runtime.clock.now();
    const uuid = Buffer.from(this.randomBytes(16)).toString('base64');
    const update: StatusUpdate = {
      framework_id: { value: frameworkId },
      executor_id: taskId,
      agent_id: { value: agentId },
      status: { task_id: taskId, state: partitionAware ? 'TASK_DROPPED' : 'TASK_LOST', source: 'SOURCE_AGENT', reason, message, agent_id: { value: agentId }, timestamp: now / 1000, uuid },
      timestamp: now / 1000,
      uuid,
    };
    this.log.info({ frameworkId, taskId: taskId.value, reason }, 'Task unknown to this agent; reporting it');
    this.rememberEndReported(key);
    this.options.journal.append({ k: 'update', update });
    const send = this.updates.update(update, now);
    if (send !== undefined) this.forward(send);
  }

  private acknowledged(frameworkId: string, taskId: string, uuid: string): void {
    const outcome = this.updates.acknowledge(frameworkId, taskId, uuid, this.runtime.clock.now());
    if (!outcome.matched) {
      this.stats.invalidStatusUpdates++;
      return;
    }
    this.stats.validStatusUpdates++;
    this.options.journal.append({ k: 'ack', frameworkId, taskId, uuid });
    const live = this.tasks.get(`${frameworkId}/${taskId}`);
    if (outcome.next !== undefined) this.forward(outcome.next);
    if (outcome.finished) {
      if (live !== undefined) this.retire(live);
      // Its end was delivered: a kill or a question about it still on its way is not answered again.
      this.rememberEndReported(`${frameworkId}/${taskId}`);
      this.options.journal.append({ k: 'task-done', frameworkId, taskId });
    }
  }

  private rememberEndReported(key: string): void {
    this.endsReported.add(key);
    if (this.endsReported.size > RECONCILED_UNKNOWN_MAX) this.endsReported.delete(this.endsReported.values().next().value!);
  }

  /** A task whose end was delivered: it moves to its framework's completed executors (bounded; the oldest's sandbox is detached from `/files`). */
  private retire(live: LiveTask): void {
    const key = `${live.frameworkId}/${live.task.task_id.value}`;
    if (this.tasks.get(key) !== live) return;
    this.tasks.delete(key);
    const list = this.completed.get(live.frameworkId) ?? [];
    list.push({ id: live.executor?.id ?? live.info.task_id.value, name: live.info.name, directory: live.sandbox, containerId: live.containerId, resources: live.info.resources, task: live.task });
    this.completed.set(live.frameworkId, list);
    if (list.length > MAX_COMPLETED_EXECUTORS_PER_FRAMEWORK) {
      const dropped = list.shift()!;
      this.options.files?.detach(dropped.directory);
      const latest = latestPath(live.frameworkId, dropped.id);
      // The `latest` alias may already show a newer run of an executor with the same id.
      if (!this.tasks.has(`${live.frameworkId}/${dropped.id}`) && !list.some((e) => e.id === dropped.id)) this.options.files?.detach(latest);
    }
  }

  private taskModel(task: Task): Record<string, unknown> {
    const resources = Resources.fromJson(task.resources);
    return taskStateModel(task, resourcesModel(resources.ok ? resources.value.unallocate() : Resources.EMPTY));
  }

  private executorModel(frameworkId: string, e: { id: string; name: string; directory: string; containerId: string; resources: Task['resources'] }, tasks: Task[], completedTasks: Task[]): Record<string, unknown> {
    const resources = Resources.fromJson(e.resources);
    const framework = this.frameworks.get(frameworkId);
    return {
      id: e.id,
      name: `Command Executor (Task: ${e.id}) (Command: ${e.name})`,
      source: e.id,
      container: e.containerId,
      directory: e.directory,
      resources: resourcesModel(resources.ok ? resources.value.unallocate() : Resources.EMPTY),
      role: framework?.roles?.[0] ?? framework?.role ?? '*',
      type: 'COMMAND',
      tasks: tasks.map((t) => this.taskModel(t)),
      queued_tasks: [],
      completed_tasks: completedTasks.map((t) => this.taskModel(t)),
    };
  }

  /** `/slave(1)/state` with Mesos's field names (docs/endpoints/slave/state.md). */
  state(): Record<string, unknown> {
    const frameworkIds = new Set([...this.frameworks.keys()]);
    const frameworks = [...frameworkIds].map((id) => {
      const info = this.frameworks.get(id)!;
      const live = [...this.tasks.values()].filter((t) => t.frameworkId === id);
      return {
        ...frameworkFields(id, info),
        executors: [
          ...live.filter((t) => t.executor === undefined).map((t) => this.executorModel(id, { id: t.info.task_id.value, name: t.info.name, directory: t.sandbox, containerId: t.containerId, resources: t.info.resources }, [t.task], [])),
          ...[...this.executors.values()]
            .filter((e) => e.frameworkId === id)
            .map((e) => ({
              ...this.executorModel(id, { id: e.id, name: e.info.name ?? e.id, directory: e.sandbox, containerId: e.containerId, resources: e.info.resources ?? [] }, live.filter((t) => t.executor === e).map((t) => t.task), []),
              name: e.info.name ?? '',
              source: e.info.source ?? '',
              type: 'CUSTOM',
              queued_tasks: e.queued.map((task) => ({ id: task.task_id.value, name: task.name })),
            })),
        ],
        completed_executors: (this.completed.get(id) ?? []).map((e) => this.executorModel(id, e, [], [e.task])),
      };
    });
    const used = this.usedResources();
    return {
      version: this.options.version ?? '',
      build_date: '',
      build_time: 0,
      build_user: '',
      start_time: this.startTimeMs / 1000,
      ...(this.agentId === undefined ? {} : { id: this.agentId }),
      pid: this.self().toString(),
      hostname: this.info.hostname,
      capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
      resources: resourcesModel(this.total),
      attributes: attributesModel(this.info.attributes),
      ...(this.master === undefined ? {} : { master_hostname: this.master.address.host }),
      flags: this.options.flags ?? {},
      frameworks: frameworks.filter((f) => f.executors.length > 0 || f.completed_executors.length > 0),
      completed_frameworks: this.completedFrameworks.map((f) => ({
        ...frameworkFields(f.id, f.info),
        executors: [],
        completed_executors: f.executors.map((e) => this.executorModel(f.id, e, [], [e.task])),
      })),
      reserved_resources: {},
      unreserved_resources: resourcesModel(this.total.unreserved()),
      reserved_resources_allocated: {},
      unreserved_resources_allocated: resourcesModel(used),
    };
  }

  private usedResources(): Resources {
    let used = Resources.EMPTY;
    for (const t of this.tasks.values()) {
      if (t.ended || isTerminalState(t.task.state)) continue;
      const r = Resources.fromJson(t.info.resources);
      if (r.ok) used = used.add(r.value.unallocate());
    }
    return used;
  }

  /** `slave/*` metrics with Mesos's names (docs/monitoring.md). */
  metrics(): Record<string, number> {
    const m: Record<string, number> = {};
    m['slave/uptime_secs'] = (this.runtime.clock.now() - this.startTimeMs) / 1000;
    m['slave/registered'] = this.registered ? 1 : 0;
    m['slave/recovery_errors'] = 0;
    const active = new Set<string>();
    const current = new Map<string, number>();
    let running = 0;
    for (const t of this.tasks.values()) {
      active.add(t.frameworkId);
      if (!isTerminalState(t.task.state)) current.set(t.task.state, (current.get(t.task.state) ?? 0) + 1);
      if (t.launched && !t.ended) running++;
    }
    m['slave/frameworks_active'] = active.size;
    for (const state of TASK_STATES) {
      m[`slave/tasks_${state.replace(/^TASK_/, '').toLowerCase()}`] = isTerminalState(state) ? (this.stats.terminalTasks[state] ?? 0) : (current.get(state) ?? 0);
    }
    m['slave/executors_registering'] = [...this.executors.values()].filter((e) => e.state === 'REGISTERING').length;
    m['slave/executors_running'] = running;
    m['slave/executors_terminating'] = [...this.tasks.values()].filter((t) => t.killRequested && !t.ended).length;
    m['slave/executors_terminated'] = this.stats.executorsTerminated;
    m['slave/valid_status_updates'] = this.stats.validStatusUpdates;
    m['slave/invalid_status_updates'] = this.stats.invalidStatusUpdates;
    m['slave/container_launch_errors'] = this.stats.containerLaunchErrors;
    const used = this.usedResources();
    for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
      const t = this.total.scalar(name);
      const u = used.scalar(name);
      m[`slave/${name}_total`] = t;
      m[`slave/${name}_used`] = u;
      m[`slave/${name}_percent`] = t > 0 ? u / t : 0;
    }
    return m;
  }

  /** `/monitor/statistics`: resource usage of every running executor, from its container. */
  async statistics(): Promise<Record<string, unknown>[]> {
    const running = [...this.tasks.values()].filter((t) => t.launched && !t.ended);
    const entries = await Promise.all(
      running.map(async (t) => {
        try {
          const statistics = await this.options.containerizer.usage(ContainerId(t.containerId));
          return { executor_id: t.info.task_id.value, executor_name: `Command Executor (Task: ${t.info.task_id.value})`, framework_id: t.frameworkId, source: t.info.task_id.value, statistics };
        } catch {
          return undefined; // it ended meanwhile
        }
      }),
    );
    return entries.filter((e) => e !== undefined);
  }

  /** For tests and `/state`: the tasks this agent runs and their states. */
  taskStates(): Record<string, TaskState> {
    return Object.fromEntries([...this.tasks].map(([key, t]) => [key, t.task.state]));
  }
}

/**
 * Creates a sandbox, `.../executors/E/runs/C`. Its last three directories are usually the new
 * ones, so they are made one by one: three calls where a recursive mkdir makes five (it first
 * tries the whole path, then walks up through the missing parts). Anything else (a framework's
 * first sandbox, an executor directory from an earlier run) takes the recursive form.
 */
function makeSandbox(sandbox: string): void {
  const runs = dirname(sandbox);
  const executor = dirname(runs);
  try {
    mkdirSync(executor);
    mkdirSync(runs);
    mkdirSync(sandbox);
  } catch {
    mkdirSync(sandbox, { recursive: true });
  }
}

/** A framework's fields in `/slave(1)/state`, before its executors. */
function frameworkFields(id: string, info: FrameworkInfo): Record<string, unknown> {
  return {
    id,
    name: info.name,
    user: info.user,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    hostname: info.hostname ?? '',
    role: info.role ?? '*',
    ...(info.roles === undefined ? {} : { roles: info.roles }),
  };
}

/** The virtual path `/files` shows an executor's latest run at. */
function latestPath(frameworkId: string, executorId: string): string {
  return `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`;
}

/**
 * Where each persistent volume in `resources` lives: `<work_dir>/volumes/roles/<role>/<id>` (as
 * Mesos). A volume whose ID could name another directory (`..`, a `/`: the master refuses those)
 * gets none, so that its DESTROY can never remove anything else.
 */
function volumePaths(workDir: string, resources: Resources): Map<string, { id: string; containerPath: string }> {
  const paths = new Map<string, { id: string; containerPath: string }>();
  for (const r of resources.persistentVolumes()) {
    const id = r.disk!.persistence!.id;
    if (!isValidId(id)) continue;
    const role = r.reservations.at(-1)?.role ?? '*';
    paths.set(join(workDir, 'volumes', 'roles', role.replaceAll('/', ' '), id), { id, containerPath: r.disk?.volume?.container_path ?? id });
  }
  return paths;
}

/** crypto's randomBytes drawn 4 KiB at a time: one call per status update cost the agent ~0.1 ms. */
function pooledRandomBytes(): (size: number) => Uint8Array {
  let pool = Buffer.alloc(0);
  let used = 0;
  return (size) => {
    if (used + size > pool.length) {
      pool = randomBytes(Math.max(4096, size));
      used = 0;
    }
    used += size;
    return pool.subarray(used - size, used);
  };
}
