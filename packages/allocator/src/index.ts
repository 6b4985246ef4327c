export {
  type AgentSpec,
  type AllocationScope,
  type Allocator,
  type AllocatorFactory,
  type AllocatorOptions,
  DEFAULT_MIN_ALLOCATABLE,
  DEFAULT_REFUSE_SECONDS,
  type FrameworkSpec,
  MAX_REFUSE_SECONDS,
  type NoOfferReason,
  type OfferDecision,
  type Quota,
} from './allocator.js';
export { HierarchicalAllocator } from './hierarchical-allocator.js';
export { AllocatorProcess, type AllocatorProcessOptions } from './allocator-process.js';
export { FirstFitAllocator } from './first-fit-allocator.js';
export { AllocatorLoadError, BUILT_IN_ALLOCATORS, loadAllocator } from './load-allocator.js';
