import { type Static, Type } from '@sinclair/typebox';
import { DurationInfo, Id, Resource, Scalar, TimeInfo } from './common.js';
import { StringEnum } from './enum.js';

/** The v1 Operator API calls to the master (include/mesos/v1/master/master.proto); responses and events are in operator-response.ts. */

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
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'DRAIN_AGENT',
  'DEACTIVATE_AGENT',
  'REACTIVATE_AGENT',
] as const;

export const QuotaConfig = Type.Object({
  role: Type.String(),
  guarantees: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Type.Number({ minimum: 0 }) }))),
  limits: Type.Optional(Type.Record(Type.String(), Type.Object({ value: Type.Number({ minimum: 0 }) }))),
});

/** Mesos `MachineID`: a machine by hostname and/or IP (maintenance). */
export const MachineId = Type.Object({ hostname: Type.Optional(Type.String()), ip: Type.Optional(Type.String()) });

/** Mesos `maintenance.Schedule`. */
export const MaintenanceSchedule = Type.Object({
  windows: Type.Array(
    Type.Object({
      machine_ids: Type.Array(MachineId),
      unavailability: Type.Object({ start: TimeInfo, duration: Type.Optional(DurationInfo) }),
    }),
  ),
});

const AgentTarget = Type.Object({ agent_id: Id });

export const OperatorCall = Type.Object({
  type: StringEnum(OPERATOR_CALL_TYPES),
  get_metrics: Type.Optional(Type.Object({ timeout: Type.Optional(DurationInfo) })),
  set_logging_level: Type.Optional(Type.Object({ level: Type.Integer({ minimum: 0 }), duration: DurationInfo })),
  list_files: Type.Optional(Type.Object({ path: Type.String() })),
  read_file: Type.Optional(Type.Object({ path: Type.String(), offset: Type.Integer({ minimum: 0 }), length: Type.Optional(Type.Integer({ minimum: 0 })) })),
  update_weights: Type.Optional(Type.Object({ weight_infos: Type.Array(Type.Object({ role: Type.String(), weight: Type.Number({ exclusiveMinimum: 0 }) })) })),
  reserve_resources: Type.Optional(Type.Object({ agent_id: Id, source: Type.Optional(Type.Array(Resource)), resources: Type.Array(Resource) })),
  unreserve_resources: Type.Optional(Type.Object({ agent_id: Id, resources: Type.Array(Resource) })),
  create_volumes: Type.Optional(Type.Object({ agent_id: Id, volumes: Type.Array(Resource) })),
  destroy_volumes: Type.Optional(Type.Object({ agent_id: Id, volumes: Type.Array(Resource) })),
  grow_volume: Type.Optional(Type.Object({ agent_id: Type.Optional(Id), volume: Resource, addition: Resource })),
  shrink_volume: Type.Optional(Type.Object({ agent_id: Type.Optional(Id), volume: Resource, subtract: Scalar })),
  update_maintenance_schedule: Type.Optional(Type.Object({ schedule: MaintenanceSchedule })),
  start_maintenance: Type.Optional(Type.Object({ machines: Type.Array(MachineId) })),
  stop_maintenance: Type.Optional(Type.Object({ machines: Type.Array(MachineId) })),
  drain_agent: Type.Optional(Type.Object({ agent_id: Id, max_grace_period: Type.Optional(Type.String()), mark_gone: Type.Optional(Type.Boolean()) })),
  deactivate_agent: Type.Optional(AgentTarget),
  reactivate_agent: Type.Optional(AgentTarget),
  update_quota: Type.Optional(Type.Object({ force: Type.Optional(Type.Boolean()), quota_configs: Type.Array(QuotaConfig) })),
  teardown: Type.Optional(Type.Object({ framework_id: Id })),
  mark_agent_gone: Type.Optional(AgentTarget),
});
export type OperatorCall = Static<typeof OperatorCall>;
