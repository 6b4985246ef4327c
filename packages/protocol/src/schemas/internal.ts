import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { compileDecoder, type Decoder } from '../decoder.js';
import { Bytes, Id, Resource } from './common.js';
import { StringEnum } from './enum.js';
import { TaskStateSchema } from './task-state.js';
import { AgentInfo, ExecutorInfo, FrameworkInfo, KillPolicy, OfferOperation, Task, TaskGroupInfo, TaskInfo, TaskStatus } from './mesos.js';

/**
 * The protocol version of the messages between masters, agents and executors.
 *
 * How it travels, cheaply: every internal message name carries the major version
 * (`ts-mesos.v1.RegisterAgent`), so a peer of another major finds no handler and drops the
 * message (logged); the handshake messages (`RegisterAgent`, `ReregisterAgent`) carry the full
 * `major.minor` in `version`. The rule: a master accepts an agent of the same major whose
 * minor is its own or one older (`isCompatibleAgent`), and answers any other with
 * `AgentRegistrationRejected` saying why. Within a major, a minor only adds optional fields.
 */
export const PROTOCOL_VERSION = '1.0';
const MAJOR = PROTOCOL_VERSION.split('.')[0]!;
const PREFIX = `ts-mesos.v${MAJOR}.`;

export function isCompatibleAgent(agentVersion: string, masterVersion: string = PROTOCOL_VERSION): boolean {
  const parse = (v: string): [number, number] | undefined => {
    const m = /^(\d+)\.(\d+)$/.exec(v);
    return m === null ? undefined : [Number(m[1]), Number(m[2])];
  };
  const agent = parse(agentVersion);
  const master = parse(masterVersion);
  if (agent === undefined || master === undefined) return false;
  return agent[0] === master[0] && (agent[1] === master[1] || agent[1] === master[1] - 1);
}


const Version = Type.String({ pattern: '^\\d+\\.\\d+$' });

/** The schema of every internal message, by its short name. */
export const InternalSchemas = {
  RegisterAgent: Type.Object({ version: Version, agent_info: AgentInfo }),
  ReregisterAgent: Type.Object({
    version: Version,
    agent_info: AgentInfo,
    tasks: Type.Array(Task),
    executor_infos: Type.Array(ExecutorInfo),
    frameworks: Type.Array(FrameworkInfo),
  }),
  /** `total_ping_timeout_seconds`: how long the agent may go without a ping before it registers again (Mesos's `connection`). */
  AgentRegistered: Type.Object({ agent_id: Id, ping_interval_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })), total_ping_timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) }),
  AgentReregistered: Type.Object({ agent_id: Id, total_ping_timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) }),
  AgentRegistrationRejected: Type.Object({ message: Type.String() }),
  Ping: Type.Object({ connected: Type.Boolean() }),
  Pong: Type.Object({}),
  RunTask: Type.Object({ framework_info: FrameworkInfo, task: TaskInfo }),
  RunTaskGroup: Type.Object({ framework_info: FrameworkInfo, executor: ExecutorInfo, task_group: TaskGroupInfo }),
  KillTask: Type.Object({ framework_id: Id, task_id: Id, kill_policy: Type.Optional(KillPolicy) }),
  StatusUpdate: Type.Object({
    framework_id: Id,
    executor_id: Type.Optional(Id),
    agent_id: Type.Optional(Id),
    status: TaskStatus,
    /** The task's newest state at the agent, which may be ahead of this (older, unacknowledged) update. */
    latest_state: Type.Optional(TaskStateSchema),
    timestamp: Type.Number(),
    uuid: Bytes,
  }),
  StatusUpdateAcknowledgement: Type.Object({ agent_id: Id, framework_id: Id, task_id: Id, uuid: Bytes }),
  /**
   * Tasks a re-registering agent did not report though the master had launched them (Mesos's
   * ReconcileTasksMessage): the agent answers each one it does not know with a status update.
   */
  ReconcileTasks: Type.Object({ framework_id: Id, statuses: Type.Array(TaskStatus) }),
  ShutdownFramework: Type.Object({ framework_id: Id }),
  ShutdownExecutor: Type.Object({ framework_id: Id, executor_id: Id }),
  /** A custom executor's container ended (Mesos's ExitedExecutorMessage): the master gives its resources back. */
  ExitedExecutor: Type.Object({ agent_id: Id, framework_id: Id, executor_id: Id, status: Type.Optional(Type.Integer()) }),
  FrameworkToExecutor: Type.Object({ agent_id: Id, framework_id: Id, executor_id: Id, data: Bytes }),
  ExecutorToFramework: Type.Object({ agent_id: Id, framework_id: Id, executor_id: Id, data: Bytes }),
  UpdateFramework: Type.Object({ framework_id: Id, framework_info: FrameworkInfo }),
  ApplyOperation: Type.Object({ framework_id: Type.Optional(Id), operation: OfferOperation }),
  CheckpointResources: Type.Object({ resources: Type.Array(Resource) }),
  AgentShutdown: Type.Object({ message: Type.String(), reason: Type.Optional(StringEnum(['REMOVED', 'GONE', 'UNREACHABLE'])) }),
} as const satisfies Record<string, TSchema>;

export type InternalName = keyof typeof InternalSchemas;
export type InternalMessage<N extends InternalName> = Static<(typeof InternalSchemas)[N]>;

/** The wire name of an internal message: `ts-mesos.v1.RegisterAgent`. */
export function messageName(name: InternalName): string {
  return `${PREFIX}${name}`;
}

/** A compiled decoder for each internal message, by short name: `internalDecoders.RunTask(body)`. */
export const internalDecoders: { readonly [N in InternalName]: Decoder<InternalMessage<N>> } = Object.fromEntries(
  (Object.keys(InternalSchemas) as InternalName[]).map((name) => [name, compileDecoder(InternalSchemas[name])]),
) as { readonly [N in InternalName]: Decoder<InternalMessage<N>> };

/** Every internal message's decoder by wire name (`ts-mesos.v1.RunTask`), for installing handlers generically. */
export const internalMessages: ReadonlyMap<string, Decoder<unknown>> = new Map(
  (Object.keys(InternalSchemas) as InternalName[]).map((name) => [messageName(name), internalDecoders[name] as Decoder<unknown>]),
);

/** The decoder for one internal message, typed. */
export function internalDecoder<N extends InternalName>(name: N): Decoder<InternalMessage<N>> {
  return internalDecoders[name];
}
