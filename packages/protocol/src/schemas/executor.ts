import { type Static, Type } from '@sinclair/typebox';
import { Bytes, Id } from './common.js';
import { StringEnum } from './enum.js';
import { AgentInfo, ExecutorInfo, FrameworkInfo, KillPolicy, TaskGroupInfo, TaskInfo, TaskStatus } from './mesos.js';

/** The v1 Executor API envelopes (include/mesos/v1/executor/executor.proto). */

export const ExecutorCall = Type.Object({
  executor_id: Id,
  framework_id: Id,
  type: StringEnum(['SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT']),
  subscribe: Type.Optional(
    Type.Object({
      unacknowledged_tasks: Type.Optional(Type.Array(TaskInfo)),
      unacknowledged_updates: Type.Optional(Type.Array(Type.Object({ status: TaskStatus }))),
    }),
  ),
  update: Type.Optional(Type.Object({ status: TaskStatus })),
  message: Type.Optional(Type.Object({ data: Bytes })),
});
export type ExecutorCall = Static<typeof ExecutorCall>;

export const ExecutorEvent = Type.Object({
  type: StringEnum(['SUBSCRIBED', 'LAUNCH', 'LAUNCH_GROUP', 'KILL', 'ACKNOWLEDGED', 'MESSAGE', 'ERROR', 'SHUTDOWN', 'HEARTBEAT']),
  subscribed: Type.Optional(
    Type.Object({ executor_info: ExecutorInfo, framework_info: FrameworkInfo, agent_info: AgentInfo, container_id: Type.Optional(Id) }),
  ),
  launch: Type.Optional(Type.Object({ task: TaskInfo })),
  launch_group: Type.Optional(Type.Object({ task_group: TaskGroupInfo })),
  kill: Type.Optional(Type.Object({ task_id: Id, kill_policy: Type.Optional(KillPolicy) })),
  acknowledged: Type.Optional(Type.Object({ task_id: Id, uuid: Bytes })),
  message: Type.Optional(Type.Object({ data: Bytes })),
  error: Type.Optional(Type.Object({ message: Type.String() })),
});
export type ExecutorEvent = Static<typeof ExecutorEvent>;
