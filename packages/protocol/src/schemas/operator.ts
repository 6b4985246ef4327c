import { type Static, Type } from '@sinclair/typebox';
import { Id, Resource } from './common.js';
import { StringEnum } from './enum.js';

/**
 * The v1 Operator API envelopes on the master (include/mesos/v1/master/master.proto). Calls
 * are validated in full; responses and events are built by the master, so their payloads
 * are only shaped loosely here.
 */

export const OPERATOR_CALL_TYPES = [
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
  'SET_LOGGING_LEVEL',
  'LIST_FILES',
  'READ_FILE',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_OPERATIONS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_WEIGHTS',
  'UPDATE_WEIGHTS',
  'GET_MASTER',
  'SUBSCRIBE',
  'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES',
  'DESTROY_VOLUMES',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'GET_QUOTA',
  'UPDATE_QUOTA',
  'TEARDOWN',
  'MARK_AGENT_GONE',
] as const;

const QuotaConfig = Type.Object({
  role: Type.String(),
  guarantees: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Type.Number({ minimum: 0 }) }))),
  limits: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Type.Number({ minimum: 0 }) }))),
});

export const OperatorCall = Type.Object({
  type: StringEnum(OPERATOR_CALL_TYPES),
  get_metrics: Type.Optional(Type.Object({ timeout: Type.Optional(Type.Object({ nanoseconds: Type.Integer() })) })),
  set_logging_level: Type.Optional(Type.Object({ level: Type.Integer({ minimum: 0 }), duration: Type.Object({ nanoseconds: Type.Integer() }) })),
  list_files: Type.Optional(Type.Object({ path: Type.String() })),
  read_file: Type.Optional(Type.Object({ path: Type.String(), offset: Type.Integer({ minimum: 0 }), length: Type.Optional(Type.Integer({ minimum: 0 })) })),
  update_weights: Type.Optional(Type.Object({ weight_infos: Type.Array(Type.Object({ role: Type.String(), weight: Type.Number({ exclusiveMinimum: 0 }) })) })),
  reserve_resources: Type.Optional(Type.Object({ agent_id: Id, source: Type.Optional(Type.Array(Resource)), resources: Type.Array(Resource) })),
  unreserve_resources: Type.Optional(Type.Object({ agent_id: Id, resources: Type.Array(Resource) })),
  create_volumes: Type.Optional(Type.Object({ agent_id: Id, volumes: Type.Array(Resource) })),
  destroy_volumes: Type.Optional(Type.Object({ agent_id: Id, volumes: Type.Array(Resource) })),
  update_quota: Type.Optional(Type.Object({ force: Type.Optional(Type.Boolean()), quota_configs: Type.Array(QuotaConfig) })),
  teardown: Type.Optional(Type.Object({ framework_id: Id })),
  mark_agent_gone: Type.Optional(Type.Object({ agent_id: Id })),
});
export type OperatorCall = Static<typeof OperatorCall>;

export const OperatorResponse = Type.Object({
  type: StringEnum(['UNKNOWN', ...OPERATOR_CALL_TYPES.filter((t) => !['SUBSCRIBE', 'SET_LOGGING_LEVEL', 'UPDATE_WEIGHTS', 'RESERVE_RESOURCES', 'UNRESERVE_RESOURCES', 'CREATE_VOLUMES', 'DESTROY_VOLUMES', 'UPDATE_QUOTA', 'TEARDOWN', 'MARK_AGENT_GONE', 'START_MAINTENANCE', 'STOP_MAINTENANCE', 'UPDATE_MAINTENANCE_SCHEDULE'].includes(t))]),
});

export const OperatorEvent = Type.Object({
  type: StringEnum(['UNKNOWN', 'SUBSCRIBED', 'TASK_ADDED', 'TASK_UPDATED', 'AGENT_ADDED', 'AGENT_REMOVED', 'FRAMEWORK_ADDED', 'FRAMEWORK_UPDATED', 'FRAMEWORK_REMOVED', 'HEARTBEAT']),
});
export type OperatorEvent = Static<typeof OperatorEvent>;
