export { formatDurationMs, parseDurationMs } from './duration.js';
export { err, ok, orThrow, type Result } from './result.js';
export { fromFixed, MAX_FIXED, MAX_SCALAR, SCALE, toFixed } from './resources/fixed-point.js';
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
  type DiskSource,
  isPersistentVolume,
  withoutVolume,
  type Label,
  type RangesResource,
  ranges,
  type Reservation,
  type ReservationType,
  reservedRole,
  type Resource,
  type ResourceOptions,
  type ScalarResource,
  scalar,
  set,
  type SetResource,
} from './resources/resource.js';
export { type ReservationJson, resourceFromJson, type ResourceJson, resourceToJson } from './resources/resource-json.js';
export { formatResource } from './resources/resource-text.js';
export { isRoleWithin, roleError, validRole } from './resources/role.js';
export { Resources } from './resources/resources.js';
export { resourcesModel, ResourcesModelSum, taskStateModel } from './resources/resources-model.js';
export { formatResources, parseResources, parseResourcesFlag } from './resources/resources-text.js';
export {
  AgentId,
  ContainerId,
  ExecutorId,
  FrameworkId,
  fromWireId,
  idError,
  type IdKind,
  InvalidIdError,
  isValidId,
  MAX_ID_LENGTH,
  OfferId,
  OperationId,
  TaskId,
  toWireId,
  type WireId,
} from './ids.js';
export { encodeRecord, RecordIoDecoder, RecordIoError } from './recordio.js';
export { RecordIoStream } from './recordio-stream.js';
export { compileDecoder, type Decoded, type Decoder, decodeJson, describeError } from './decoder.js';
export * as Schemas from './schemas/all.js';
export { isTerminalState, TASK_REASONS, TASK_SOURCES, TASK_STATES, type TaskReason, type TaskSource, type TaskState } from './schemas/task-state.js';
export {
  internalDecoder,
  internalDecoders,
  type InternalMessage,
  internalMessages,
  type InternalName,
  InternalSchemas,
  isCompatibleAgent,
  messageName,
  PROTOCOL_VERSION,
} from './schemas/internal.js';
export type { Filters, Id } from './schemas/common.js';
export type {
  AgentInfo,
  CommandInfo,
  ContainerInfo,
  ExecutorInfo,
  FrameworkInfo,
  MasterInfo,
  Offer,
  OfferOperation,
  Task,
  TaskGroupInfo,
  TaskInfo,
  TaskStatus,
} from './schemas/mesos.js';
export type { SchedulerCall, SchedulerEvent } from './schemas/scheduler.js';
export type { ExecutorCall, ExecutorEvent } from './schemas/executor.js';
export type { OperatorCall } from './schemas/operator.js';
export type { AgentCall } from './schemas/agent-operator.js';
export type { OperatorEvent, OperatorResponse } from './schemas/operator-response.js';
export {
  decodeExecutorCall,
  decodeExecutorEvent,
  decodeAgentCall,
  decodeOperatorCall,
  decodeOperatorEvent,
  decodeOperatorResponse,
  decodeSchedulerCall,
  decodeSchedulerEvent,
} from './schemas/api-decoders.js';
export { attributesModel, parseAttributes } from './resources/attributes-text.js';
export { MESOS_API_VERSION, TS_MESOS_VERSION, versionModel } from './version.js';
