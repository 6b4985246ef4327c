import { type Static, Type } from '@sinclair/typebox';
import { Bytes, Filters, Id } from './common.js';
import { StringEnum } from './enum.js';
import { FrameworkInfo, KillPolicy, MasterInfo, Offer, OfferOperation, TaskStatus } from './mesos.js';

/** The v1 Scheduler API envelopes (include/mesos/v1/scheduler/scheduler.proto). */

export const SCHEDULER_CALL_TYPES = [
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'UPDATE_FRAMEWORK',
] as const;

export const SchedulerCall = Type.Object({
  framework_id: Type.Optional(Id),
  type: StringEnum(SCHEDULER_CALL_TYPES),
  subscribe: Type.Optional(Type.Object({ framework_info: FrameworkInfo, suppressed_roles: Type.Optional(Type.Array(Type.String())) })),
  accept: Type.Optional(Type.Object({ offer_ids: Type.Array(Id), operations: Type.Optional(Type.Array(OfferOperation)), filters: Type.Optional(Filters) })),
  decline: Type.Optional(Type.Object({ offer_ids: Type.Array(Id), filters: Type.Optional(Filters) })),
  revive: Type.Optional(Type.Object({ roles: Type.Optional(Type.Array(Type.String())) })),
  suppress: Type.Optional(Type.Object({ roles: Type.Optional(Type.Array(Type.String())) })),
  kill: Type.Optional(Type.Object({ task_id: Id, agent_id: Type.Optional(Id), kill_policy: Type.Optional(KillPolicy) })),
  shutdown: Type.Optional(Type.Object({ executor_id: Id, agent_id: Id })),
  acknowledge: Type.Optional(Type.Object({ agent_id: Id, task_id: Id, uuid: Bytes })),
  reconcile: Type.Optional(Type.Object({ tasks: Type.Array(Type.Object({ task_id: Id, agent_id: Type.Optional(Id) })) })),
  message: Type.Optional(Type.Object({ agent_id: Id, executor_id: Id, data: Bytes })),
  request: Type.Optional(Type.Object({ requests: Type.Array(Type.Object({ agent_id: Type.Optional(Id) })) })),
  update_framework: Type.Optional(Type.Object({ framework_info: FrameworkInfo, suppressed_roles: Type.Optional(Type.Array(Type.String())) })),
});
export type SchedulerCall = Static<typeof SchedulerCall>;

export const SchedulerEvent = Type.Object({
  type: StringEnum(['SUBSCRIBED', 'OFFERS', 'INVERSE_OFFERS', 'RESCIND', 'RESCIND_INVERSE_OFFER', 'UPDATE', 'UPDATE_OPERATION_STATUS', 'MESSAGE', 'FAILURE', 'ERROR', 'HEARTBEAT']),
  subscribed: Type.Optional(Type.Object({ framework_id: Id, heartbeat_interval_seconds: Type.Optional(Type.Number()), master_info: Type.Optional(MasterInfo) })),
  offers: Type.Optional(Type.Object({ offers: Type.Array(Offer) })),
  rescind: Type.Optional(Type.Object({ offer_id: Id })),
  update: Type.Optional(Type.Object({ status: TaskStatus })),
  message: Type.Optional(Type.Object({ agent_id: Id, executor_id: Id, data: Bytes })),
  failure: Type.Optional(Type.Object({ agent_id: Type.Optional(Id), executor_id: Type.Optional(Id), status: Type.Optional(Type.Integer()) })),
  error: Type.Optional(Type.Object({ message: Type.String() })),
});
export type SchedulerEvent = Static<typeof SchedulerEvent>;
