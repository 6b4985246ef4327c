import { type AgentInfo, type ExecutorInfo, type FrameworkInfo, type Resources, ResourcesModelSum, type Task } from '@ts-mesos/protocol';

/** A task as the master tracks it: its wire form (Mesos `Task`) plus what the allocator needs back. */
export interface TaskRecord {
  readonly task: Task;
  readonly frameworkId: string;
  readonly agentId: string;
  /** Allocated to `role`: what goes back to the allocator when the task ends. */
  readonly resources: Resources;
  readonly role: string;
  /** The resources were handed back (the latest state is terminal). */
  recovered: boolean;
  /** What the state endpoints keep of the task between calls (see `TaskViews`); undefined until first asked. */
  views: TaskViews | undefined;
}

/**
 * A task's texts for the state endpoints, made again only when its state, latest status or role
 * changed. Kept on the record, not in a WeakMap keyed by the task: at 100,000 tasks such a
 * map's table (an ephemeron table the collector must process, reallocated as it grows and
 * shrinks) cost the master page faults and marking time under load.
 */
export interface TaskViews {
  /** The task's resources as `/master/state` shows them (they never change). */
  readonly resources: Record<string, number | string>;
  state: string;
  last: unknown;
  count: number;
  role: string | undefined;
  /** `/master/state`'s model of the task, or its JSON text (only one is kept: see state-json.ts). */
  model: Record<string, unknown> | undefined;
  text: string | undefined;
  /** The operator API's JSON of the task (the v1 `Task`). */
  json: string | undefined;
}

/** The record's views, emptied of whatever its task's state or latest status made stale. */
export function taskViews(record: TaskRecord): TaskViews {
  const task = record.task;
  const last = task.statuses?.at(-1);
  const count = task.statuses?.length ?? 0;
  let views = record.views;
  if (views === undefined) {
    // The record's bag is the task's resources (parsed when it was launched or re-registered): not parsed again.
    const resources = new ResourcesModelSum().add(record.resources).model();
    views = record.views = { resources, state: task.state, last, count, role: undefined, model: undefined, text: undefined, json: undefined };
  } else if (views.state !== task.state || views.last !== last || views.count !== count) {
    views.state = task.state;
    views.last = last;
    views.count = count;
    views.model = undefined;
    views.text = undefined;
    views.json = undefined;
  }
  return views;
}

export interface OfferRecord {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly role: string;
  readonly resources: Resources;
}

export interface FrameworkRecord {
  readonly id: string;
  info: FrameworkInfo;
  roles: string[];
  /** Has a live event stream. */
  connected: boolean;
  /** Receives offers (connected and not torn down). */
  active: boolean;
  /** Known only from re-registering agents; its scheduler has not subscribed to this master yet. */
  recovered: boolean;
  streamId: string | undefined;
  readonly offers: Set<string>;
  readonly tasks: Map<string, TaskRecord>;
  /** Its tasks that ended and were acknowledged, the oldest first (at most `--max_completed_tasks_per_framework`). */
  readonly completedTasks: TaskRecord[];
  /** Custom executors by agent: `agentId` -> executor id -> the executor, with what it was allocated. */
  readonly executors: Map<string, Map<string, ExecutorRecord>>;
  registeredTimeMs: number;
  reregisteredTimeMs: number | undefined;
  unregisteredTimeMs: number | undefined;
}

/** A custom executor the master launched: it holds `resources` (allocated to the offers' role) until the agent says it exited. */
export interface ExecutorRecord {
  readonly info: ExecutorInfo;
  readonly resources: Resources;
}

/** A framework's custom executors on every agent. */
export function* executorsOf(framework: FrameworkRecord): Iterable<ExecutorRecord> {
  for (const byId of framework.executors.values()) yield* byId.values();
}

export interface AgentRecord {
  readonly id: string;
  info: AgentInfo;
  /** The agent process's libprocess pid: `slave(1)@ip:port`. */
  pid: string;
  total: Resources;
  version: string;
  /** `frameworkId/taskId` -> task. */
  readonly tasks: Map<string, TaskRecord>;
  /** `frameworkId/executorId` -> the custom executors running here (also in their frameworks' `executors`). */
  readonly executors: Map<string, ExecutorRecord>;
  readonly offers: Set<string>;
  /** Connected (its link is up) and taking part in allocation. */
  active: boolean;
  missedPings: number;
  pongSinceLastPing: boolean;
  /** Which of the ping rounds' slices pings this agent (see `MasterCore.pingAgents`). */
  readonly pingSlot: number;
  registeredTimeMs: number;
  reregisteredTimeMs: number | undefined;
  /** What `/master/state` keeps of the agent between calls (see state-json.ts); undefined until first asked. */
  views: AgentViews | undefined;
  /** The operator API's JSON of the agent, and what it was made from (see operator-api.ts). */
  operatorView: { readonly info: AgentInfo; readonly total: Resources; readonly key: string; readonly json: string } | undefined;
}

/** An agent's `/master/state` text but for its used and offered resources, and what it was made from (compared by identity). */
export interface AgentViews {
  readonly info: AgentInfo;
  readonly total: Resources;
  readonly pid: string;
  readonly active: boolean;
  readonly version: string;
  readonly registered: number;
  readonly reregistered: number | undefined;
  readonly head: string;
  readonly tail: string;
}

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}/${taskId}`;
}

export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return info.capabilities?.some((c) => c.type === type) ?? false;
}

/** The roles a framework subscribes with: `roles` for MULTI_ROLE frameworks, else `role` (default `*`). */
export function frameworkRoles(info: FrameworkInfo): string[] {
  if (hasCapability(info, 'MULTI_ROLE')) return [...(info.roles ?? [])];
  return [info.role ?? '*'];
}
