export {
  type AgentSpec,
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
