import type { AgentInfo, ExecutorInfo, FrameworkInfo, Resources, Task } from '@ts-mesos/protocol';

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
  readonly completedTasks: Task[];
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
