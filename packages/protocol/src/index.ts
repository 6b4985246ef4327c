export { err, ok, orThrow, type Result } from './result.js';
export { fromFixed, MAX_SCALAR, SCALE, toFixed } from './resources/fixed-point.js';
export {
  containsRanges,
  formatRanges,
  normalizeRanges,
  type RangeBounds,
  rangesSize,
  subtractRanges,
  unionRanges,
} from './resources/ranges.js';
export {
  type DiskInfo,
  isPersistentVolume,
  type Label,
  ranges,
  type Reservation,
  type ReservationJson,
  type ReservationType,
  reservedRole,
  type Resource,
  resourceFromJson,
  type ResourceJson,
  type ResourceOptions,
  resourceToJson,
  scalar,
  set,
  validRole,
} from './resources/resource.js';
export { Resources } from './resources/resources.js';
export { formatResources, parseResources, parseResourcesFlag } from './resources/resources-text.js';
export {
  AgentId,
  ContainerId,
  ExecutorId,
  FrameworkId,
  fromWireId,
  InvalidIdError,
  isValidId,
  OfferId,
  OperationId,
  TaskId,
  toWireId,
  type WireId,
} from './ids.js';
export { encodeRecord, RecordIoDecoder, RecordIoError } from './recordio.js';
export { compileDecoder, type Decoded, type Decoder, decodeJson } from './decoder.js';
export * as Schemas from './schemas/all.js';
export { isTerminalState, TASK_REASONS, TASK_SOURCES, TASK_STATES, type TaskReason, type TaskSource, type TaskState } from './schemas/task-state.js';
export {
  internalDecoder,
  type InternalMessage,
  internalMessages,
  type InternalName,
  InternalSchemas,
  isCompatibleAgent,
  messageName,
  PROTOCOL_VERSION,
  type Task,
} from './schemas/internal.js';
export type { Filters } from './schemas/common.js';
export type { AgentInfo, CommandInfo, ContainerInfo, ExecutorInfo, FrameworkInfo, MasterInfo, Offer, OfferOperation, TaskGroupInfo, TaskInfo, TaskStatus } from './schemas/mesos.js';
export type { SchedulerCall, SchedulerEvent } from './schemas/scheduler.js';
export type { ExecutorCall, ExecutorEvent } from './schemas/executor.js';
export type { OperatorCall, OperatorEvent } from './schemas/operator.js';
export { decodeExecutorCall, decodeOperatorCall, decodeSchedulerCall } from './schemas/api-decoders.js';
