import { Type } from '@sinclair/typebox';
import { StringEnum } from './enum.js';

/** Mesos `TaskState` (include/mesos/v1/mesos.proto); see docs/task-state-reasons.md. */
export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TaskStateSchema = StringEnum(TASK_STATES);

/** States after which a task never runs again (TASK_LOST is not always terminal in Mesos 1.x, but is treated so). */
const TERMINAL: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

export const TASK_SOURCES = ['SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];
export const TaskSourceSchema = StringEnum(TASK_SOURCES);

export const TASK_REASONS = [
  'REASON_COMMAND_EXECUTOR_FAILED',
  'REASON_CONTAINER_LAUNCH_FAILED',
  'REASON_CONTAINER_LIMITATION',
  'REASON_CONTAINER_LIMITATION_DISK',
  'REASON_CONTAINER_LIMITATION_MEMORY',
  'REASON_CONTAINER_PREEMPTED',
  'REASON_CONTAINER_UPDATE_FAILED',
  'REASON_MAX_COMPLETION_TIME_REACHED',
  'REASON_EXECUTOR_REGISTRATION_TIMEOUT',
  'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
  'REASON_EXECUTOR_TERMINATED',
  'REASON_EXECUTOR_UNREGISTERED',
  'REASON_FRAMEWORK_REMOVED',
  'REASON_GC_ERROR',
  'REASON_INVALID_FRAMEWORKID',
  'REASON_INVALID_OFFERS',
  'REASON_IO_SWITCHBOARD_EXITED',
  'REASON_MASTER_DISCONNECTED',
  'REASON_RECONCILIATION',
  'REASON_RESOURCES_UNKNOWN',
  'REASON_AGENT_DISCONNECTED',
  'REASON_AGENT_REMOVED',
  'REASON_AGENT_REMOVED_BY_OPERATOR',
  'REASON_AGENT_REREGISTERED',
  'REASON_AGENT_RESTARTED',
  'REASON_AGENT_UNKNOWN',
  'REASON_TASK_KILLED_DURING_LAUNCH',
  'REASON_TASK_CHECK_STATUS_UPDATED',
  'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
  'REASON_TASK_GROUP_INVALID',
  'REASON_TASK_GROUP_UNAUTHORIZED',
  'REASON_TASK_INVALID',
  'REASON_TASK_UNAUTHORIZED',
  'REASON_TASK_UNKNOWN',
] as const;
export type TaskReason = (typeof TASK_REASONS)[number];
export const TaskReasonSchema = StringEnum(TASK_REASONS);

export const TaskStatusSchemaFields = {
  state: TaskStateSchema,
  source: Type.Optional(TaskSourceSchema),
  reason: Type.Optional(TaskReasonSchema),
};
