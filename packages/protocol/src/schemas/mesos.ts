import { type Static, Type } from '@sinclair/typebox';
import { Address, Attribute, Bytes, DurationInfo, Id, Labels, Parameter, Resource, TimeInfo } from './common.js';
import { StringEnum } from './enum.js';
import { TaskReasonSchema, TaskSourceSchema, TaskStateSchema } from './task-state.js';

/** The Mesos v1 JSON entities (include/mesos/v1/mesos.proto), with Mesos's field names. */

export const FrameworkCapability = Type.Object({
  type: StringEnum([
    'UNKNOWN',
    'REVOCABLE_RESOURCES',
    'TASK_KILLING_STATE',
    'GPU_RESOURCES',
    'SHARED_RESOURCES',
    'PARTITION_AWARE',
    'MULTI_ROLE',
    'RESERVATION_REFINEMENT',
    'REGION_AWARE',
  ]),
});

export const FrameworkInfo = Type.Object({
  user: Type.String(),
  name: Type.String(),
  id: Type.Optional(Id),
  failover_timeout: Type.Optional(Type.Number({ minimum: 0 })),
  checkpoint: Type.Optional(Type.Boolean()),
  role: Type.Optional(Type.String()),
  roles: Type.Optional(Type.Array(Type.String())),
  hostname: Type.Optional(Type.String()),
  principal: Type.Optional(Type.String()),
  webui_url: Type.Optional(Type.String()),
  capabilities: Type.Optional(Type.Array(FrameworkCapability)),
  labels: Type.Optional(Labels),
});
export type FrameworkInfo = Static<typeof FrameworkInfo>;

export const AgentInfo = Type.Object({
  hostname: Type.String({ minLength: 1 }),
  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  resources: Type.Optional(Type.Array(Resource)),
  attributes: Type.Optional(Type.Array(Attribute)),
  id: Type.Optional(Id),
});
export type AgentInfo = Static<typeof AgentInfo>;

export const MasterInfo = Type.Object({
  id: Type.String(),
  /** IPv4 as an integer in network byte order, as Mesos writes it. */
  ip: Type.Integer({ minimum: 0 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  pid: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  address: Type.Optional(Address),
  capabilities: Type.Optional(Type.Array(Type.Object({ type: StringEnum(['UNKNOWN', 'AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2']) }))),
});
export type MasterInfo = Static<typeof MasterInfo>;

export const CommandUri = Type.Object({
  value: Type.String(),
  executable: Type.Optional(Type.Boolean()),
  extract: Type.Optional(Type.Boolean()),
  cache: Type.Optional(Type.Boolean()),
  output_file: Type.Optional(Type.String()),
});

export const Environment = Type.Object({
  variables: Type.Array(
    Type.Object({ name: Type.String(), type: Type.Optional(StringEnum(['UNKNOWN', 'VALUE', 'SECRET'])), value: Type.Optional(Type.String()) }),
  ),
});

export const CommandInfo = Type.Object({
  uris: Type.Optional(Type.Array(CommandUri)),
  environment: Type.Optional(Environment),
  shell: Type.Optional(Type.Boolean()),
  value: Type.Optional(Type.String()),
  arguments: Type.Optional(Type.Array(Type.String())),
  user: Type.Optional(Type.String()),
});
export type CommandInfo = Static<typeof CommandInfo>;

export const Volume = Type.Object({
  container_path: Type.String(),
  host_path: Type.Optional(Type.String()),
  mode: StringEnum(['RW', 'RO']),
});

export const PortMapping = Type.Object({
  host_port: Type.Integer({ minimum: 0, maximum: 65535 }),
  container_port: Type.Integer({ minimum: 0, maximum: 65535 }),
  protocol: Type.Optional(Type.String()),
});

export const DockerInfo = Type.Object({
  image: Type.String({ minLength: 1 }),
  network: Type.Optional(StringEnum(['HOST', 'BRIDGE', 'NONE', 'USER'])),
  port_mappings: Type.Optional(Type.Array(PortMapping)),
  privileged: Type.Optional(Type.Boolean()),
  parameters: Type.Optional(Type.Array(Parameter)),
  force_pull_image: Type.Optional(Type.Boolean()),
});

/** Mesos `Image`: what the MESOS containerizer's provisioner pulls. */
export const Image = Type.Object({
  type: StringEnum(['APPC', 'DOCKER']),
  docker: Type.Optional(Type.Object({ name: Type.String({ minLength: 1 }), config: Type.Optional(Type.Unknown()) })),
  appc: Type.Optional(Type.Object({ name: Type.String({ minLength: 1 }), id: Type.Optional(Type.String()), labels: Type.Optional(Labels) })),
  cached: Type.Optional(Type.Boolean()),
});

export const ContainerInfo = Type.Object({
  type: StringEnum(['DOCKER', 'MESOS']),
  volumes: Type.Optional(Type.Array(Volume)),
  hostname: Type.Optional(Type.String()),
  docker: Type.Optional(DockerInfo),
  mesos: Type.Optional(Type.Object({ image: Type.Optional(Image) })),
  network_infos: Type.Optional(Type.Array(Type.Object({ name: Type.Optional(Type.String()) }))),
});
export type ContainerInfo = Static<typeof ContainerInfo>;

export const KillPolicy = Type.Object({ grace_period: Type.Optional(DurationInfo) });

export const ExecutorInfo = Type.Object({
  type: Type.Optional(StringEnum(['UNKNOWN', 'DEFAULT', 'CUSTOM'])),
  executor_id: Id,
  framework_id: Type.Optional(Id),
  command: Type.Optional(CommandInfo),
  container: Type.Optional(ContainerInfo),
  resources: Type.Optional(Type.Array(Resource)),
  name: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  data: Type.Optional(Bytes),
  labels: Type.Optional(Labels),
});
export type ExecutorInfo = Static<typeof ExecutorInfo>;

export const TaskInfo = Type.Object({
  name: Type.String(),
  task_id: Id,
  agent_id: Id,
  resources: Type.Array(Resource),
  executor: Type.Optional(ExecutorInfo),
  command: Type.Optional(CommandInfo),
  container: Type.Optional(ContainerInfo),
  kill_policy: Type.Optional(KillPolicy),
  data: Type.Optional(Bytes),
  labels: Type.Optional(Labels),
});
export type TaskInfo = Static<typeof TaskInfo>;

export const TaskGroupInfo = Type.Object({ tasks: Type.Array(TaskInfo) });
export type TaskGroupInfo = Static<typeof TaskGroupInfo>;

export const TaskStatus = Type.Object({
  task_id: Id,
  state: TaskStateSchema,
  message: Type.Optional(Type.String()),
  source: Type.Optional(TaskSourceSchema),
  reason: Type.Optional(TaskReasonSchema),
  data: Type.Optional(Bytes),
  agent_id: Type.Optional(Id),
  executor_id: Type.Optional(Id),
  timestamp: Type.Optional(Type.Number()),
  uuid: Type.Optional(Bytes),
  healthy: Type.Optional(Type.Boolean()),
  labels: Type.Optional(Labels),
  unreachable_time: Type.Optional(TimeInfo),
  limitation: Type.Optional(Type.Object({ resources: Type.Array(Resource) })),
});
export type TaskStatus = Static<typeof TaskStatus>;

export const OfferOperation = Type.Object({
  type: StringEnum(['UNKNOWN', 'LAUNCH', 'LAUNCH_GROUP', 'RESERVE', 'UNRESERVE', 'CREATE', 'DESTROY', 'GROW_VOLUME', 'SHRINK_VOLUME', 'CREATE_DISK', 'DESTROY_DISK']),
  id: Type.Optional(Id),
  launch: Type.Optional(Type.Object({ task_infos: Type.Array(TaskInfo) })),
  launch_group: Type.Optional(Type.Object({ executor: ExecutorInfo, task_group: TaskGroupInfo })),
  reserve: Type.Optional(Type.Object({ resources: Type.Array(Resource), source: Type.Optional(Type.Array(Resource)) })),
  unreserve: Type.Optional(Type.Object({ resources: Type.Array(Resource) })),
  create: Type.Optional(Type.Object({ volumes: Type.Array(Resource) })),
  destroy: Type.Optional(Type.Object({ volumes: Type.Array(Resource) })),
});
export type OfferOperation = Static<typeof OfferOperation>;

export const Offer = Type.Object({
  id: Id,
  framework_id: Id,
  agent_id: Id,
  hostname: Type.String(),
  resources: Type.Array(Resource),
  attributes: Type.Optional(Type.Array(Attribute)),
  executor_ids: Type.Optional(Type.Array(Id)),
  allocation_info: Type.Optional(Type.Object({ role: Type.String() })),
});
export type Offer = Static<typeof Offer>;


/** A task as master and agent track it (Mesos `Task`), and as the operator API shows it. */
export const Task = Type.Object({
  name: Type.String(),
  task_id: Id,
  framework_id: Id,
  executor_id: Type.Optional(Id),
  agent_id: Id,
  state: TaskStateSchema,
  resources: Type.Array(Resource),
  statuses: Type.Optional(Type.Array(TaskStatus)),
  status_update_state: Type.Optional(TaskStateSchema),
  status_update_uuid: Type.Optional(Bytes),
  labels: Type.Optional(Labels),
  container: Type.Optional(ContainerInfo),
  kill_policy: Type.Optional(KillPolicy),
  user: Type.Optional(Type.String()),
});
export type Task = Static<typeof Task>;
