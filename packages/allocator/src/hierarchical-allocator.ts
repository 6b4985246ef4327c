import { SeededRandom } from '@ts-mesos/libprocess';
import { type AgentId, type FrameworkId, Resources } from '@ts-mesos/protocol';
import {
  type AgentSpec,
  type AllocationScope,
  type Allocator,
  type AllocatorOptions,
  DEFAULT_MIN_ALLOCATABLE,
  type FrameworkSpec,
  type NoOfferReason,
  type OfferDecision,
  type Quota,
} from './allocator.js';
import { capScalars, meetsMinimum, refuseUntil, scalarsOf } from './offerable.js';
import { addScalars, dominantShare, type RoleNode, RoleTree, type Scalars } from './role-tree.js';

interface Filter {
  readonly refused: Resources;
  readonly expiresAt: number;
  /** The agent's free resources when `refused` was last found to cover them (a cache: bags are immutable). */
  covers?: Resources;
}

interface FrameworkState {
  readonly id: FrameworkId;
  spec: FrameworkSpec;
  active: boolean;
  readonly suppressed: Set<string>;
  /** Scalars allocated per role, for the framework's share within each role. */
  readonly allocatedByRole: Map<string, Scalars>;
  /** Allocated resources (with allocation roles) per agent. */
  readonly allocations: Map<AgentId, Resources>;
  readonly filters: Map<AgentId, Filter>;
}

interface AgentState {
  readonly id: AgentId;
  readonly hostname: string;
  total: Resources;
  /** Not allocated to anyone; plain (no allocation role). */
  available: Resources;
  active: boolean;
  readonly allocations: Map<FrameworkId, Resources>;
  /**
   * What frameworks not (yet) known to the allocator use here, as the agent reported it when
   * added (after a master failover, before they subscribe again): not free, and handed to the
   * framework when it is added.
   */
  readonly untracked: Map<FrameworkId, Resources>;
  /**
   * The agent's tasks hold more than its total (it came back with them, or its total shrank):
   * `available` is then what the total has beyond them, worked out afresh as they end, since
   * adding back what was taken from a clipped `available` would offer more than the agent has.
   */
  overcommitted: boolean;
  /** `available` when `allocatable` was last worked out: a cache, bags being immutable. */
  allocatableOf: Resources | undefined;
  /** Whether `available` holds at least the smallest allocatable amount. */
  allocatable: boolean;
}

function mapAdd<K>(map: Map<K, Resources>, key: K, resources: Resources): void {
  map.set(key, (map.get(key) ?? Resources.EMPTY).plus(resources));
}

function mapSubtract<K>(map: Map<K, Resources>, key: K, resources: Resources): void {
  const rest = (map.get(key) ?? Resources.EMPTY).minus(resources);
  if (rest.isEmpty()) map.delete(key);
  else map.set(key, rest);
}

/**
 * Hierarchical Dominant Resource Fairness (the Mesos allocator, docs/allocation-module.md and
 * the DRF paper): every cycle, each agent's free resources go to the role, then the framework
 * within it, with the lowest weighted dominant share, re-ordering after every allocation.
 * Roles with unmet quota guarantees are served first, up to their guarantee; quota limits
 * are never exceeded; reserved resources go only to their role (or roles below it);
 * revocable resources only to frameworks that accept them; suppressed roles and declined
 * (filtered) agents are skipped. A pure core: time is `now`, randomness is seeded.
 */
export class HierarchicalAllocator implements Allocator {
  private readonly frameworks = new Map<FrameworkId, FrameworkState>();
  private readonly agents = new Map<AgentId, AgentState>();
  private readonly totals: Scalars = new Map();
  private readonly tree = new RoleTree(this.totals);
  private readonly quotas = new Map<string, { guarantees: Scalars; limits: Scalars }>();
  private readonly minAllocatable: readonly Readonly<Record<string, number>>[];
  private readonly random: SeededRandom;
  private totalsChanged = false;
  /** Agents whose free resources changed since the last run: what a `changed` run considers. */
  private readonly candidates = new Set<AgentId>();
  /** Something that concerns every agent changed: the next run considers all of them. */
  private everyAgent = true;
  private runs = 0;
  /** The shuffled order of every agent for a run made in parts: made at part 0, sliced by each part. */
  private partOrder: { readonly parts: number; readonly agents: AgentState[] } | undefined;
  private offersMade = 0;

  constructor(options: AllocatorOptions = {}) {
    this.minAllocatable = options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE;
    this.random = new SeededRandom(options.seed ?? 1);
  }

  // ---- frameworks ----------------------------------------------------------------------------

  addFramework(id: FrameworkId, spec: FrameworkSpec, used: ReadonlyMap<AgentId, Resources> = new Map()): void {
    if (this.frameworks.has(id)) throw new Error(`Framework '${id}' is already known to the allocator`);
    const framework: FrameworkState = {
      id,
      spec,
      active: true,
      suppressed: new Set(spec.suppressedRoles ?? []),
      allocatedByRole: new Map(),
      allocations: new Map(),
      filters: new Map(),
    };
    this.frameworks.set(id, framework);
    this.everyAgent = true;
    for (const role of spec.roles) this.tree.ensure(role).frameworks.add(id, id, 0);
    for (const [agentId, resources] of used) {
      const agent = this.agents.get(agentId);
      if (agent === undefined) continue;
      if (agent.untracked.delete(id)) {
        // Already not free since the agent was added: now held by the framework instead.
        mapAdd(agent.allocations, framework.id, resources);
        mapAdd(framework.allocations, agent.id, resources);
        this.accountParts(framework, resources, 1);
        this.workOutAvailable(agent);
      } else {
        this.track(framework, agent, resources);
      }
    }
  }

  updateFramework(id: FrameworkId, spec: FrameworkSpec): void {
    const framework = this.framework(id);
    for (const role of framework.spec.roles) {
      if (!spec.roles.includes(role)) {
        this.tree.node(role)?.frameworks.remove(id);
        this.tree.prune(role);
      }
    }
    for (const role of spec.roles) {
      const node = this.tree.ensure(role);
      if (!node.frameworks.has(id)) node.frameworks.add(id, id, this.frameworkShare(framework, role));
    }
    framework.spec = spec;
    this.everyAgent = true;
    framework.suppressed.clear();
    for (const role of spec.suppressedRoles ?? []) framework.suppressed.add(role);
  }

  removeFramework(id: FrameworkId): void {
    const framework = this.frameworks.get(id);
    if (framework === undefined) return;
    for (const [agentId, resources] of [...framework.allocations]) {
      const agent = this.agents.get(agentId);
      if (agent !== undefined) this.untrack(framework, agent, resources);
    }
    for (const role of framework.spec.roles) {
      this.tree.node(role)?.frameworks.remove(id);
      this.tree.prune(role);
    }
    this.frameworks.delete(id);
  }

  activateFramework(id: FrameworkId): void {
    this.framework(id).active = true;
    this.everyAgent = true;
  }

  deactivateFramework(id: FrameworkId): void {
    const framework = this.framework(id);
    framework.active = false;
    // Mesos clears a deactivated framework's filters: it gets fresh offers when it comes back.
    framework.filters.clear();
  }

  // ---- agents ------------------------------------------------------------------------------

  addAgent(id: AgentId, spec: AgentSpec, used: ReadonlyMap<FrameworkId, Resources> = new Map()): void {
    if (this.agents.has(id)) throw new Error(`Agent '${id}' is already known to the allocator`);
    const agent: AgentState = { id, hostname: spec.hostname, total: spec.total, available: spec.total, active: true, allocations: new Map(), untracked: new Map(), overcommitted: false, allocatableOf: undefined, allocatable: false };
    this.agents.set(id, agent);
    this.candidates.add(id);
    addScalars(this.totals, scalarsOf(spec.total), 1);
    this.totalsChanged = true;
    for (const [frameworkId, resources] of used) {
      const framework = this.frameworks.get(frameworkId);
      if (framework !== undefined) this.track(framework, agent, resources);
      else mapAdd(agent.untracked, frameworkId, resources);
    }
    if (used.size > 0) this.workOutAvailable(agent);
  }

  /** `available` from the total and everything held on the agent (clipped at nothing), and whether the holdings exceed the total. */
  private workOutAvailable(agent: AgentState): void {
    let held = Resources.EMPTY;
    for (const resources of agent.allocations.values()) held = held.plus(resources.unallocate());
    for (const resources of agent.untracked.values()) held = held.plus(resources.unallocate());
    agent.available = agent.total.minus(held);
    agent.overcommitted = !agent.total.contains(held);
  }

  updateAgent(id: AgentId, total: Resources): void {
    const agent = this.agent(id);
    addScalars(this.totals, scalarsOf(agent.total), -1);
    addScalars(this.totals, scalarsOf(total), 1);
    this.totalsChanged = true;
    agent.total = total;
    this.workOutAvailable(agent);
    this.candidates.add(id);
  }

  removeAgent(id: AgentId): void {
    const agent = this.agents.get(id);
    if (agent === undefined) return;
    for (const [frameworkId, resources] of [...agent.allocations]) {
      const framework = this.frameworks.get(frameworkId);
      if (framework !== undefined) this.untrack(framework, agent, resources);
    }
    for (const framework of this.frameworks.values()) framework.filters.delete(id);
    addScalars(this.totals, scalarsOf(agent.total), -1);
    this.totalsChanged = true;
    this.agents.delete(id);
    this.candidates.delete(id);
  }

  activateAgent(id: AgentId): void {
    this.agent(id).active = true;
    this.candidates.add(id);
  }

  deactivateAgent(id: AgentId): void {
    this.agent(id).active = false;
  }

  // ---- resources coming back ---------------------------------------------------------------

  recoverResources(frameworkId: FrameworkId, agentId: AgentId, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    const framework = this.frameworks.get(frameworkId);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return;
    if (framework === undefined) {
      // A task of a framework not (yet) added ended: what it held is free again.
      if (agent.untracked.has(frameworkId)) {
        mapSubtract(agent.untracked, frameworkId, resources);
        this.workOutAvailable(agent);
        this.candidates.add(agentId);
      }
      return;
    }
    const held = framework.allocations.get(agentId) ?? Resources.EMPTY;
    const whole = held.contains(resources);
    const returned = whole ? resources : resources.filter((r) => held.contains(Resources.of(r)));
    const plain = resources.unallocate();
    this.untrack(framework, agent, returned, whole ? plain : returned.unallocate());
    const expiresAt = refuseUntil(now, refuseSeconds);
    if (expiresAt !== undefined) framework.filters.set(agentId, { refused: plain, expiresAt });
  }

  suppressOffers(frameworkId: FrameworkId, roles?: readonly string[]): void {
    const framework = this.framework(frameworkId);
    for (const role of roles ?? framework.spec.roles) framework.suppressed.add(role);
  }

  reviveOffers(frameworkId: FrameworkId, roles?: readonly string[]): void {
    const framework = this.framework(frameworkId);
    for (const role of roles ?? framework.spec.roles) framework.suppressed.delete(role);
    framework.filters.clear();
    this.everyAgent = true;
  }

  updateWeights(weights: ReadonlyMap<string, number>): void {
    for (const [role, weight] of weights) {
      if (!(weight > 0)) throw new RangeError(`Weight of role '${role}' must be positive, got ${weight}`);
      this.tree.setWeight(role, weight);
    }
    this.everyAgent = true;
  }

  updateQuota(role: string, quota: Quota | undefined): void {
    this.everyAgent = true;
    if (quota === undefined) {
      this.quotas.delete(role);
      return;
    }
    this.quotas.set(role, { guarantees: new Map(Object.entries(quota.guarantees)), limits: new Map(Object.entries(quota.limits)) });
    if (quota.limits !== undefined) this.tree.ensure(role);
  }

  updateAllocation(frameworkId: FrameworkId, agentId: AgentId, from: Resources, to: Resources): void {
    const framework = this.framework(frameworkId);
    const agent = this.agent(agentId);
    this.untrack(framework, agent, from);
    agent.total = agent.total.minus(from.unallocate()).plus(to.unallocate());
    // `from` is no longer there to be free (the untracking above counted it in); `to` takes its place.
    agent.available = agent.available.minus(from.unallocate()).plus(to.unallocate());
    this.track(framework, agent, to);
    if (agent.overcommitted) this.workOutAvailable(agent);
  }

  // ---- deciding ----------------------------------------------------------------------------

  allocate(now: number, scope: AllocationScope = 'all'): OfferDecision[] {
    this.runs += 1;
    if (this.totalsChanged) this.reorderAll();
    const decisions = new Map<string, OfferDecision>();
    // A prompt run after events looks only at the agents whose free resources changed: the
    // others were offered all they could be at the last run, and what only time changes (an
    // expired filter) waits for the periodic run over every agent, as in Mesos.
    let agents: AgentState[];
    if (typeof scope === 'object') {
      // One slice of a periodic run: a stable part of the agents, changed or not.
      agents = this.agentsOfPart(scope.part, scope.parts);
      for (const agent of agents) this.candidates.delete(agent.id);
    } else {
      const everyAgent = scope === 'all' || this.everyAgent;
      agents = this.shuffledAgents(everyAgent ? undefined : this.candidates);
      this.candidates.clear();
      if (everyAgent) this.everyAgent = false;
    }

    // Stage 1: roles below their quota guarantee, served up to it (Mesos allocates quota first).
    const owed = [...this.quotas.entries()].filter(([role, q]) => this.below(role, q.guarantees));
    if (owed.length > 0) {
      owed.sort(([a], [b]) => (this.tree.node(a)?.parent?.children.share(a) ?? 0) - (this.tree.node(b)?.parent?.children.share(b) ?? 0));
      for (const agent of agents) {
        for (const [role, quota] of owed) {
          const node = this.tree.node(role);
          if (node === undefined) continue;
          for (const frameworkId of node.frameworks.items() as FrameworkId[]) {
            const remaining = new Map<string, number>();
            for (const [name, amount] of quota.guarantees) remaining.set(name, Math.max(0, amount - (node.allocated.get(name) ?? 0)));
            this.offer(agent, this.frameworks.get(frameworkId)!, role, now, decisions, remaining);
          }
        }
      }
    }

    // Stage 2: everyone, in hierarchical DRF order, within quota limits.
    for (const agent of agents) {
      if (!this.hasAllocatable(agent)) continue;
      this.visit(this.tree.root, agent, now, decisions);
    }
    this.offersMade += decisions.size;
    return [...decisions.values()];
  }

  agentCount(): number {
    return this.agents.size;
  }

  explain(frameworkId: FrameworkId, agentId: AgentId, now: number): NoOfferReason | undefined {
    const framework = this.frameworks.get(frameworkId);
    const agent = this.agents.get(agentId);
    if (framework === undefined || !framework.active) return 'framework_inactive';
    if (agent === undefined || !agent.active) return 'agent_inactive';
    const reasons: NoOfferReason[] = [];
    for (const role of framework.spec.roles) {
      const verdict = this.assess(framework, agent, role, now);
      if (typeof verdict !== 'string') return undefined;
      reasons.push(verdict);
    }
    const rank: NoOfferReason[] = ['filtered', 'quota_limit', 'insufficient_resources', 'suppressed', 'role_mismatch'];
    return rank.find((r) => reasons.includes(r)) ?? 'role_mismatch';
  }

  metrics(): Record<string, number> {
    const out: Record<string, number> = {
      'allocator/mesos/allocation_runs': this.runs,
      'allocator/mesos/offers_made': this.offersMade,
    };
    let filters = 0;
    for (const framework of this.frameworks.values()) filters += framework.filters.size;
    out['allocator/mesos/offer_filters/active'] = filters;
    for (const [name, total] of this.totals) out[`allocator/mesos/resources/${name}/total`] = total;
    for (const role of this.tree.roles()) {
      const node = this.tree.node(role)!;
      out[`allocator/mesos/roles/${role}/shares/dominant`] = dominantShare(node.allocated, this.totals, 1);
    }
    return out;
  }

  // ---- internals ---------------------------------------------------------------------------

  private visit(node: RoleNode, agent: AgentState, now: number, decisions: Map<string, OfferDecision>): boolean {
    if (node !== this.tree.root) {
      // Walked in place, not copied: an agent usually runs dry at its first offer, so a copy of
      // every framework per agent (10,000 agents x 1,000 frameworks a cycle) was most of the
      // cost. An offer re-sorts the order; if the agent still has something left, the rest is
      // walked in the new order, skipping those already asked.
      const order = node.frameworks;
      let skip: Set<string> | undefined;
      for (let i = 0; i < order.size; i++) {
        const frameworkId = order.at(i) as FrameworkId;
        if (skip?.has(frameworkId) === true) continue;
        // Only an allocation shrinks the agent, so only then can it run dry.
        if (!this.offer(agent, this.frameworks.get(frameworkId)!, node.name, now, decisions, undefined)) continue;
        if (!this.hasAllocatable(agent)) return false;
        // The order changed: walk it again from the start, skipping those asked. An allocation
        // only raises the framework's share, so it moved later and those before it stayed.
        skip ??= new Set();
        for (let j = 0; j < i; j++) skip.add(order.at(j)!);
        skip.add(frameworkId);
        i = -1;
      }
    }
    for (const child of node.children.items()) {
      if (!this.visit(child, agent, now, decisions)) return false;
    }
    return true;
  }

  /** Offers the framework what it may have of the agent for `role`, if anything. */
  private offer(
    agent: AgentState,
    framework: FrameworkState,
    role: string,
    now: number,
    decisions: Map<string, OfferDecision>,
    guaranteeLeft: ReadonlyMap<string, number> | undefined,
  ): boolean {
    const offerable = this.offerable(framework, agent, role, now, guaranteeLeft);
    if (offerable === undefined) return false;
    const allocated = offerable.allocate(role);
    this.track(framework, agent, allocated, offerable);
    const key = `${framework.id}\n${agent.id}\n${role}`;
    const previous = decisions.get(key);
    const resources = previous === undefined ? allocated : previous.resources.plus(allocated);
    decisions.set(key, { frameworkId: framework.id, agentId: agent.id, role, resources });
    return true;
  }

  /** What the framework could be offered for `role` now, or undefined (`assess` says why). */
  private offerable(
    framework: FrameworkState,
    agent: AgentState,
    role: string,
    now: number,
    guaranteeLeft?: ReadonlyMap<string, number>,
  ): Resources | undefined {
    const verdict = this.assess(framework, agent, role, now, guaranteeLeft);
    return typeof verdict === 'string' ? undefined : verdict;
  }

  /** The one place that decides: the offerable resources, or the reason there are none. */
  private assess(
    framework: FrameworkState,
    agent: AgentState,
    role: string,
    now: number,
    guaranteeLeft?: ReadonlyMap<string, number>,
  ): Resources | NoOfferReason {
    if (!framework.active) return 'framework_inactive';
    if (!agent.active) return 'agent_inactive';
    if (framework.suppressed.has(role)) return 'suppressed';
    const filter = framework.filters.get(agent.id);
    if (filter !== undefined) {
      if (filter.expiresAt <= now) framework.filters.delete(agent.id);
      // Cheap first: a filter covering all that is free covers whatever the role could get.
      else if (filter.covers === agent.available) return 'filtered';
      else if (filter.refused.contains(agent.available)) {
        filter.covers = agent.available;
        return 'filtered';
      }
    }
    let offerable = agent.available.allocatableTo(role);
    if (framework.spec.revocable !== true) offerable = offerable.nonRevocable();
    if (offerable.isEmpty() && !agent.available.isEmpty()) return 'role_mismatch';
    let capped = offerable;
    if (this.quotas.size > 0 || guaranteeLeft !== undefined) {
      const caps = this.limitHeadroom(role);
      if (guaranteeLeft !== undefined) for (const [name, left] of guaranteeLeft) caps.set(name, Math.min(left, caps.get(name) ?? Infinity));
      capped = capScalars(offerable, caps);
    }
    if (!this.meetsMinimum(capped)) return this.meetsMinimum(offerable) ? 'quota_limit' : 'insufficient_resources';
    if (filter !== undefined && filter.expiresAt > now && filter.refused.contains(capped)) return 'filtered';
    return capped;
  }

  /** How much more of each limited scalar `role` (and every ancestor with a limit) may get. */
  private limitHeadroom(role: string): Map<string, number> {
    const caps = new Map<string, number>();
    if (this.quotas.size === 0) return caps;
    for (let r: string | undefined = role; r !== undefined; r = r.includes('/') ? r.slice(0, r.lastIndexOf('/')) : undefined) {
      const quota = this.quotas.get(r);
      if (quota === undefined) continue;
      const allocated = this.tree.node(r)?.allocated;
      for (const [name, limit] of quota.limits) {
        const left = Math.max(0, limit - (allocated?.get(name) ?? 0));
        caps.set(name, Math.min(left, caps.get(name) ?? Infinity));
      }
    }
    return caps;
  }

  private below(role: string, guarantees: ReadonlyMap<string, number>): boolean {
    const allocated = this.tree.node(role)?.allocated;
    for (const [name, amount] of guarantees) if ((allocated?.get(name) ?? 0) < amount) return true;
    return false;
  }

  private meetsMinimum(resources: Resources): boolean {
    return meetsMinimum(resources, this.minAllocatable);
  }

  private hasAllocatable(agent: AgentState): boolean {
    if (agent.allocatableOf !== agent.available) {
      agent.allocatableOf = agent.available;
      agent.allocatable = this.meetsMinimum(agent.available);
    }
    return agent.allocatable;
  }

  /** Records an allocation (resources carry their allocation role). */
  private track(framework: FrameworkState, agent: AgentState, allocated: Resources, plain = allocated.unallocate()): void {
    agent.available = agent.available.minus(plain);
    mapAdd(agent.allocations, framework.id, allocated);
    mapAdd(framework.allocations, agent.id, allocated);
    this.accountParts(framework, allocated, 1);
  }

  private untrack(framework: FrameworkState, agent: AgentState, allocated: Resources, plain = allocated.unallocate()): void {
    if (allocated.isEmpty()) return;
    this.candidates.add(agent.id);
    mapSubtract(agent.allocations, framework.id, allocated);
    mapSubtract(framework.allocations, agent.id, allocated);
    this.accountParts(framework, allocated, -1);
    if (agent.overcommitted) this.workOutAvailable(agent);
    else agent.available = agent.available.plus(plain);
  }

  /** Accounts each part of allocated resources to its allocation role. */
  private accountParts(framework: FrameworkState, allocated: Resources, sign: 1 | -1): void {
    const items = allocated.items;
    if (items.length === 0) return;
    const first = items[0]!.allocationRole;
    let one = true;
    for (let i = 1; i < items.length && one; i++) one = items[i]!.allocationRole === first;
    if (one) {
      // The usual case (an offer is for one role): the resources are their own only part.
      this.account(framework, first ?? '*', allocated, sign);
      return;
    }
    const parts = new Map<string, Resources>();
    for (const r of items) {
      const role = r.allocationRole ?? '*';
      parts.set(role, (parts.get(role) ?? Resources.EMPTY).plus(r));
    }
    for (const [role, part] of parts) this.account(framework, role, part, sign);
  }

  private account(framework: FrameworkState, role: string, part: Resources, sign: 1 | -1): void {
    let mine = framework.allocatedByRole.get(role);
    if (mine === undefined) framework.allocatedByRole.set(role, (mine = new Map<string, number>()));
    addScalars(mine, part, sign);
    this.tree.allocate(role, part, sign);
    this.tree.node(role)?.frameworks.update(framework.id, this.frameworkShare(framework, role));
  }

  private frameworkShare(framework: FrameworkState, role: string): number {
    return dominantShare(framework.allocatedByRole.get(role) ?? new Map<string, number>(), this.totals, 1);
  }

  private reorderAll(): void {
    this.totalsChanged = false;
    this.tree.reorderAll();
    for (const framework of this.frameworks.values()) {
      for (const role of framework.spec.roles) this.tree.node(role)?.frameworks.update(framework.id, this.frameworkShare(framework, role));
    }
  }

  /**
   * Part `part` of `parts` of one run over every agent: the whole order is shuffled once, at
   * part 0 (a slice per part would otherwise walk every agent), and each part takes its slice.
   * Agents removed meanwhile are skipped; agents added meanwhile are candidates of the next
   * prompt run anyway.
   */
  private agentsOfPart(part: number, parts: number): AgentState[] {
    if (part === 0 || this.partOrder?.parts !== parts) this.partOrder = { parts, agents: this.shuffledAgents() };
    const order = this.partOrder.agents;
    const slice = order.slice(Math.floor((part * order.length) / parts), Math.floor(((part + 1) * order.length) / parts));
    if (part === parts - 1) this.partOrder = undefined;
    return slice.filter((agent) => this.agents.get(agent.id) === agent);
  }

  /**
   * The agents with something to offer, in random order. Those with less free than the
   * smallest allocatable amount are left out before shuffling: a run would skip them anyway,
   * and in a busy cluster they are nearly all of them (50,000 shuffled a second for nothing).
   */
  private shuffledAgents(only?: ReadonlySet<AgentId>): AgentState[] {
    const list: AgentState[] = [];
    if (only === undefined) {
      for (const agent of this.agents.values()) if (this.hasAllocatable(agent)) list.push(agent);
    } else {
      for (const id of only) {
        const agent = this.agents.get(id);
        if (agent !== undefined && this.hasAllocatable(agent)) list.push(agent);
      }
    }
    for (let i = list.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  }

  private framework(id: FrameworkId): FrameworkState {
    const framework = this.frameworks.get(id);
    if (framework === undefined) throw new Error(`Unknown framework '${id}'`);
    return framework;
  }

  private agent(id: AgentId): AgentState {
    const agent = this.agents.get(id);
    if (agent === undefined) throw new Error(`Unknown agent '${id}'`);
    return agent;
  }
}
