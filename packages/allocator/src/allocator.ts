import type { AgentId, FrameworkId, Resources } from '@ts-mesos/protocol';

/** What the allocator knows of a framework. */
export interface FrameworkSpec {
  /** The roles it subscribes with (MULTI_ROLE frameworks may have several). */
  readonly roles: readonly string[];
  /** Roles for which it wants no offers now (SUPPRESS). */
  readonly suppressedRoles?: readonly string[];
  /** REVOCABLE_RESOURCES capability: only such frameworks are offered revocable resources. */
  readonly revocable?: boolean;
}

export interface AgentSpec {
  readonly hostname: string;
  readonly total: Resources;
}

/** Quota for a role: guaranteed amounts are offered first; limits are never exceeded. */
export interface Quota {
  readonly guarantees: Readonly<Record<string, number>>;
  readonly limits: Readonly<Record<string, number>>;
}

/** One decision: these resources on this agent are offered to this framework, for this role. */
export interface OfferDecision {
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  readonly role: string;
  /** Marked as allocated to `role`. */
  readonly resources: Resources;
}

/** Why a framework was offered nothing from an agent. */
export type NoOfferReason =
  | 'framework_inactive'
  | 'agent_inactive'
  | 'suppressed'
  | 'filtered'
  | 'role_mismatch'
  | 'quota_limit'
  | 'insufficient_resources';

/**
 * Which agents an allocation run considers (see `Allocator.allocate`): every agent, those
 * whose free resources changed, or one part of every agent (`part` of `parts`, taken in order)
 * so that a periodic run over a large cluster can be made in slices between other work.
 */
export type AllocationScope = 'all' | 'changed' | { readonly part: number; readonly parts: number };

/**
 * The plugin contract between the master and an allocator. The master tells it about
 * frameworks, agents and resources coming back; it answers `allocate(now)` with offers and
 * never calls the master. Time is an input (`now`, in ms), so implementations stay pure.
 *
 * Allocated resources are the allocator's bookkeeping: offered resources count as allocated
 * until the master hands them back with `recoverResources` (declined, rescinded, or freed
 * when a task ends).
 */
export interface Allocator {
  addFramework(id: FrameworkId, spec: FrameworkSpec, used?: ReadonlyMap<AgentId, Resources>): void;
  updateFramework(id: FrameworkId, spec: FrameworkSpec): void;
  removeFramework(id: FrameworkId): void;
  activateFramework(id: FrameworkId): void;
  deactivateFramework(id: FrameworkId): void;

  addAgent(id: AgentId, spec: AgentSpec, used?: ReadonlyMap<FrameworkId, Resources>): void;
  updateAgent(id: AgentId, total: Resources): void;
  removeAgent(id: AgentId): void;
  activateAgent(id: AgentId): void;
  deactivateAgent(id: AgentId): void;

  /**
   * Resources of a framework on an agent are free again. With `refuseSeconds` (a DECLINE's
   * filter; Mesos default 5 s, capped at 365 days) the framework is not offered them again
   * on that agent until the filter expires or it revives.
   */
  recoverResources(frameworkId: FrameworkId, agentId: AgentId, resources: Resources, refuseSeconds: number | undefined, now: number): void;
  suppressOffers(frameworkId: FrameworkId, roles?: readonly string[]): void;
  /** Lifts suppression and clears the framework's filters (for the roles given, or all). */
  reviveOffers(frameworkId: FrameworkId, roles?: readonly string[]): void;

  updateWeights(weights: ReadonlyMap<string, number>): void;
  updateQuota(role: string, quota: Quota | undefined): void;
  /** An operation (RESERVE, CREATE, ...) turned a framework's allocated `from` into `to`. */
  updateAllocation(frameworkId: FrameworkId, agentId: AgentId, from: Resources, to: Resources): void;

  /**
   * Decides offers now. `scope` is a hint: `all` (the default, and the periodic
   * `--allocation_interval` run) considers every agent; `changed` (a prompt run after events,
   * as Mesos's `allocate(agentId)`) may consider only the agents whose free resources changed
   * since the last run, and must fall back to all agents after an event that concerns every
   * agent (a framework added or revived, weights or quota changed); `{ part, parts }` considers
   * one of `parts` disjoint parts of the agents (parts 0 .. parts-1, in order, are together one
   * run over all). An implementation may ignore `scope` and always consider all agents.
   */
  allocate(now: number, scope?: AllocationScope): OfferDecision[];
  /** How many agents it knows (lets the actor shell slice a periodic run); optional. */
  agentCount?(): number;
  /** Why the framework would get nothing from the agent now, or undefined if it would get something. */
  explain(frameworkId: FrameworkId, agentId: AgentId, now: number): NoOfferReason | undefined;
  /** Mesos-named metrics (`allocator/mesos/...`). */
  metrics(): Record<string, number>;
}

/** How a plugin module makes allocators: `export function createAllocator(options)`. */
export interface AllocatorOptions {
  /** Smallest offer worth making (Mesos default: cpus 0.01 or mem 32). */
  readonly minAllocatable?: readonly Readonly<Record<string, number>>[];
  /** Seed for any randomness (agent order); same seed, same decisions. */
  readonly seed?: number;
}

export type AllocatorFactory = (options: AllocatorOptions) => Allocator;

export const DEFAULT_MIN_ALLOCATABLE: readonly Readonly<Record<string, number>>[] = [{ cpus: 0.01 }, { mem: 32 }];
/** Mesos caps decline filters at 365 days and uses 5 s when none (or a negative one) is given. */
export const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
export const DEFAULT_REFUSE_SECONDS = 5;
