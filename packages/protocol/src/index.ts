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
