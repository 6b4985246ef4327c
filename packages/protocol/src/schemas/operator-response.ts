import { type Static, Type } from '@sinclair/typebox';
import { Bytes, Id, Resource, TimeInfo } from './common.js';
import { StringEnum } from './enum.js';
import { AgentInfo, ExecutorInfo, FrameworkInfo, MasterInfo, Offer, Task, TaskStatus } from './mesos.js';
import { TaskStateSchema } from './task-state.js';
import { MaintenanceSchedule, QuotaConfig } from './operator.js';

/** The v1 Operator API responses and the SUBSCRIBE event stream of the master (include/mesos/v1/master/master.proto). */

export const OPERATOR_RESPONSE_TYPES = [
  'UNKNOWN',
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
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
  'GET_MASTER',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'GET_QUOTA',
] as const;

export const OperatorAgent = Type.Object({
  agent_info: AgentInfo,
  active: Type.Boolean(),
  deactivated: Type.Optional(Type.Boolean()),
  version: Type.String(),
  pid: Type.Optional(Type.String()),
  registered_time: Type.Optional(TimeInfo),
  reregistered_time: Type.Optional(TimeInfo),
  total_resources: Type.Optional(Type.Array(Resource)),
  allocated_resources: Type.Optional(Type.Array(Resource)),
  offered_resources: Type.Optional(Type.Array(Resource)),
  capabilities: Type.Optional(Type.Array(Type.Object({ type: Type.String() }))),
});

export const OperatorFramework = Type.Object({
  framework_info: FrameworkInfo,
  active: Type.Boolean(),
  connected: Type.Boolean(),
  recovered: Type.Boolean(),
  registered_time: Type.Optional(TimeInfo),
  reregistered_time: Type.Optional(TimeInfo),
  unregistered_time: Type.Optional(TimeInfo),
  offers: Type.Optional(Type.Array(Offer)),
  allocated_resources: Type.Optional(Type.Array(Resource)),
  offered_resources: Type.Optional(Type.Array(Resource)),
});

const GetAgents = Type.Object({ agents: Type.Array(OperatorAgent), recovered_agents: Type.Optional(Type.Array(AgentInfo)) });
const GetFrameworks = Type.Object({ frameworks: Type.Array(OperatorFramework), completed_frameworks: Type.Optional(Type.Array(OperatorFramework)) });
const GetExecutors = Type.Object({ executors: Type.Array(Type.Object({ executor_info: ExecutorInfo, agent_id: Id })) });
const GetTasks = Type.Object({
  tasks: Type.Optional(Type.Array(Task)),
  unreachable_tasks: Type.Optional(Type.Array(Task)),
  completed_tasks: Type.Optional(Type.Array(Task)),
});
const GetState = Type.Object({
  get_tasks: Type.Optional(GetTasks),
  get_executors: Type.Optional(GetExecutors),
  get_frameworks: Type.Optional(GetFrameworks),
  get_agents: Type.Optional(GetAgents),
});
const WeightInfo = Type.Object({ role: Type.String(), weight: Type.Number() });
const Role = Type.Object({
  name: Type.String(),
  weight: Type.Number(),
  frameworks: Type.Optional(Type.Array(Id)),
  allocated: Type.Optional(Type.Array(Resource)),
  offered: Type.Optional(Type.Array(Resource)),
  reserved: Type.Optional(Type.Array(Resource)),
  quota: Type.Optional(Type.Unknown()),
});

export const OperatorResponse = Type.Object({
  type: StringEnum(OPERATOR_RESPONSE_TYPES),
  get_health: Type.Optional(Type.Object({ healthy: Type.Boolean() })),
  get_flags: Type.Optional(Type.Object({ flags: Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.String()) })) })),
  get_version: Type.Optional(
    Type.Object({
      version_info: Type.Object({
        version: Type.String(),
        build_date: Type.Optional(Type.String()),
        build_time: Type.Optional(Type.Number()),
        build_user: Type.Optional(Type.String()),
        git_sha: Type.Optional(Type.String()),
        git_branch: Type.Optional(Type.String()),
        git_tag: Type.Optional(Type.String()),
      }),
    }),
  ),
  get_metrics: Type.Optional(Type.Object({ metrics: Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.Number()) })) })),
  get_logging_level: Type.Optional(Type.Object({ level: Type.Integer({ minimum: 0 }) })),
  list_files: Type.Optional(Type.Object({ file_infos: Type.Array(Type.Object({ path: Type.String() })) })),
  read_file: Type.Optional(Type.Object({ size: Type.Integer({ minimum: 0 }), data: Bytes })),
  get_state: Type.Optional(GetState),
  get_agents: Type.Optional(GetAgents),
  get_frameworks: Type.Optional(GetFrameworks),
  get_executors: Type.Optional(GetExecutors),
  get_tasks: Type.Optional(GetTasks),
  get_roles: Type.Optional(Type.Object({ roles: Type.Array(Role) })),
  get_weights: Type.Optional(Type.Object({ weight_infos: Type.Array(WeightInfo) })),
  get_master: Type.Optional(Type.Object({ master_info: Type.Optional(MasterInfo), start_time: Type.Optional(Type.Number()), elected_time: Type.Optional(Type.Number()) })),
  get_maintenance_status: Type.Optional(Type.Object({ status: Type.Unknown() })),
  get_maintenance_schedule: Type.Optional(Type.Object({ schedule: MaintenanceSchedule })),
  get_quota: Type.Optional(Type.Object({ status: Type.Object({ infos: Type.Optional(Type.Array(Type.Unknown())), configs: Type.Optional(Type.Array(QuotaConfig)) }) })),
});
export type OperatorResponse = Static<typeof OperatorResponse>;

export const OperatorEvent = Type.Object({
  type: StringEnum(['UNKNOWN', 'SUBSCRIBED', 'TASK_ADDED', 'TASK_UPDATED', 'AGENT_ADDED', 'AGENT_REMOVED', 'FRAMEWORK_ADDED', 'FRAMEWORK_UPDATED', 'FRAMEWORK_REMOVED', 'HEARTBEAT']),
  subscribed: Type.Optional(Type.Object({ get_state: Type.Optional(GetState), heartbeat_interval_seconds: Type.Optional(Type.Number()) })),
  task_added: Type.Optional(Type.Object({ task: Task })),
  task_updated: Type.Optional(Type.Object({ framework_id: Id, status: TaskStatus, state: TaskStateSchema })),
  agent_added: Type.Optional(Type.Object({ agent: OperatorAgent })),
  agent_removed: Type.Optional(Type.Object({ agent_id: Id })),
  framework_added: Type.Optional(Type.Object({ framework: OperatorFramework })),
  framework_updated: Type.Optional(Type.Object({ framework: OperatorFramework })),
  framework_removed: Type.Optional(Type.Object({ framework_info: FrameworkInfo })),
});
export type OperatorEvent = Static<typeof OperatorEvent>;
