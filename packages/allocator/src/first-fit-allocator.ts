import type { AgentId, FrameworkId, Resources } from '@ts-mesos/protocol';
import { Resources as ResourcesValue } from '@ts-mesos/protocol';
import {
  type AgentSpec,
  type Allocator,
  type AllocatorOptions,
  DEFAULT_MIN_ALLOCATABLE,
  type FrameworkSpec,
  type NoOfferReason,
  type OfferDecision,
  type Quota,
} from './allocator.js';
import { capScalars, meetsMinimum, refuseUntil, scalarsOf } from './offerable.js';

interface Framework {
  spec: FrameworkSpec;
  active: boolean;
  readonly suppressed: Set<string>;
  readonly filters: Map<AgentId, { refused: Resources; expiresAt: number }>;
}

interface Agent {
  total: Resources;
  available: Resources;
  active: boolean;
  /** Allocated resources (with allocation roles) per framework. */
  readonly allocations: Map<FrameworkId, Resources>;
}

/**
 * The simplest allocator that keeps the contract: agents in the order they joined, each
 * given whole to the first framework (in registration order) that may take it. No fairness,
 * no weights and no quota guarantees — but quota limits, filters, suppression, reservations
 * and revocability are honoured, so the master can run on it unchanged. It exists to prove
 * the plugin contract (`--allocator=first-fit`) and as a model for third-party plugins.
 */
export class FirstFitAllocator implements Allocator {
  private readonly frameworks = new Map<FrameworkId, Framework>();
  private readonly agents = new Map<AgentId, Agent>();
  private readonly limits = new Map<string, Map<string, number>>();
  private readonly allocatedByRole = new Map<string, Map<string, number>>();
  private readonly minimums: readonly Readonly<Record<string, number>>[];
  private runs = 0;

  constructor(options: AllocatorOptions = {}) {
    this.minimums = options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE;
  }

  addFramework(id: FrameworkId, spec: FrameworkSpec, used: ReadonlyMap<AgentId, Resources> = new Map()): void {
    this.frameworks.set(id, { spec, active: true, suppressed: new Set(spec.suppressedRoles ?? []), filters: new Map() });
    for (const [agentId, resources] of used) {
      const agent = this.agents.get(agentId);
      // Held already when the agent was added with it (before this framework subscribed again).
      if (agent !== undefined && !agent.allocations.has(id)) this.take(agent, id, resources);
    }
  }

  updateFramework(id: FrameworkId, spec: FrameworkSpec): void {
    const framework = this.need(this.frameworks, id, 'framework');
    framework.spec = spec;
    framework.suppressed.clear();
    for (const role of spec.suppressedRoles ?? []) framework.suppressed.add(role);
  }

  removeFramework(id: FrameworkId): void {
    for (const agent of this.agents.values()) {
      const held = agent.allocations.get(id);
      if (held !== undefined) this.give(agent, id, held);
    }
    this.frameworks.delete(id);
  }

  activateFramework(id: FrameworkId): void {
    this.need(this.frameworks, id, 'framework').active = true;
  }

  deactivateFramework(id: FrameworkId): void {
    const framework = this.need(this.frameworks, id, 'framework');
    framework.active = false;
    framework.filters.clear();
  }

  addAgent(id: AgentId, spec: AgentSpec, used: ReadonlyMap<FrameworkId, Resources> = new Map()): void {
    const agent: Agent = { total: spec.total, available: spec.total, active: true, allocations: new Map() };
    this.agents.set(id, agent);
    for (const [frameworkId, resources] of used) this.take(agent, frameworkId, resources);
  }

  updateAgent(id: AgentId, total: Resources): void {
    const agent = this.need(this.agents, id, 'agent');
    let allocated = ResourcesValue.EMPTY;
    for (const held of agent.allocations.values()) allocated = allocated.plus(held.unallocate());
    agent.total = total;
    agent.available = total.minus(allocated);
  }

  removeAgent(id: AgentId): void {
    const agent = this.agents.get(id);
    if (agent === undefined) return;
    for (const [frameworkId, held] of [...agent.allocations]) this.give(agent, frameworkId, held);
    this.agents.delete(id);
    for (const framework of this.frameworks.values()) framework.filters.delete(id);
  }

  activateAgent(id: AgentId): void {
    this.need(this.agents, id, 'agent').active = true;
  }

  deactivateAgent(id: AgentId): void {
    this.need(this.agents, id, 'agent').active = false;
  }

  recoverResources(frameworkId: FrameworkId, agentId: AgentId, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    const agent = this.agents.get(agentId);
    if (agent === undefined) return;
    const held = agent.allocations.get(frameworkId) ?? ResourcesValue.EMPTY;
    this.give(agent, frameworkId, held.contains(resources) ? resources : resources.filter((r) => held.contains(ResourcesValue.of(r))));
    const expiresAt = refuseUntil(now, refuseSeconds);
    const framework = this.frameworks.get(frameworkId);
    if (expiresAt !== undefined && framework !== undefined) framework.filters.set(agentId, { refused: resources.unallocate(), expiresAt });
  }

  suppressOffers(frameworkId: FrameworkId, roles?: readonly string[]): void {
    const framework = this.need(this.frameworks, frameworkId, 'framework');
    for (const role of roles ?? framework.spec.roles) framework.suppressed.add(role);
  }

  reviveOffers(frameworkId: FrameworkId, roles?: readonly string[]): void {
    const framework = this.need(this.frameworks, frameworkId, 'framework');
    for (const role of roles ?? framework.spec.roles) framework.suppressed.delete(role);
    framework.filters.clear();
  }

  updateWeights(): void {
    // First fit has no notion of fairness, so weights change nothing.
  }

  updateQuota(role: string, quota: Quota | undefined): void {
    if (quota === undefined) this.limits.delete(role);
    else this.limits.set(role, new Map(Object.entries(quota.limits)));
  }

  updateAllocation(frameworkId: FrameworkId, agentId: AgentId, from: Resources, to: Resources): void {
    const agent = this.need(this.agents, agentId, 'agent');
    this.give(agent, frameworkId, from);
    agent.total = agent.total.minus(from.unallocate()).plus(to.unallocate());
    // `from` is no longer there to be free (the untracking above counted it in); `to` takes its place.
    agent.available = agent.available.minus(from.unallocate()).plus(to.unallocate());
    this.take(agent, frameworkId, to);
  }

  allocate(now: number): OfferDecision[] {
    this.runs += 1;
    const decisions: OfferDecision[] = [];
    for (const [agentId, agent] of this.agents) {
      for (const [frameworkId, framework] of this.frameworks) {
        for (const role of framework.spec.roles) {
          const offerable = this.offerable(framework, agentId, agent, role, now);
          if (offerable === undefined) continue;
          const allocated = offerable.allocate(role);
          this.take(agent, frameworkId, allocated);
          decisions.push({ frameworkId, agentId, role, resources: allocated });
        }
      }
    }
    return decisions;
  }

  explain(frameworkId: FrameworkId, agentId: AgentId, now: number): NoOfferReason | undefined {
    const framework = this.frameworks.get(frameworkId);
    const agent = this.agents.get(agentId);
    if (framework === undefined || !framework.active) return 'framework_inactive';
    if (agent === undefined || !agent.active) return 'agent_inactive';
    if (framework.spec.roles.some((role) => this.offerable(framework, agentId, agent, role, now) !== undefined)) return undefined;
    if (framework.spec.roles.every((role) => framework.suppressed.has(role))) return 'suppressed';
    const filter = framework.filters.get(agentId);
    if (filter !== undefined && filter.expiresAt > now) return 'filtered';
    return 'insufficient_resources';
  }

  metrics(): Record<string, number> {
    return { 'allocator/mesos/allocation_runs': this.runs };
  }

  private offerable(framework: Framework, agentId: AgentId, agent: Agent, role: string, now: number): Resources | undefined {
    if (!framework.active || !agent.active || framework.suppressed.has(role)) return undefined;
    let offerable = agent.available.allocatableTo(role);
    if (framework.spec.revocable !== true) offerable = offerable.nonRevocable();
    const limit = this.limits.get(role);
    if (limit !== undefined) {
      const used = this.allocatedByRole.get(role) ?? new Map<string, number>();
      offerable = capScalars(offerable, new Map([...limit].map(([name, cap]) => [name, Math.max(0, cap - (used.get(name) ?? 0))])));
    }
    if (!meetsMinimum(offerable, this.minimums)) return undefined;
    const filter = framework.filters.get(agentId);
    if (filter !== undefined && filter.expiresAt > now && filter.refused.contains(offerable)) return undefined;
    return offerable;
  }

  private take(agent: Agent, frameworkId: FrameworkId, allocated: Resources): void {
    agent.available = agent.available.minus(allocated.unallocate());
    agent.allocations.set(frameworkId, (agent.allocations.get(frameworkId) ?? ResourcesValue.EMPTY).plus(allocated));
    this.count(allocated, 1);
  }

  private give(agent: Agent, frameworkId: FrameworkId, allocated: Resources): void {
    if (allocated.isEmpty()) return;
    const rest = (agent.allocations.get(frameworkId) ?? ResourcesValue.EMPTY).minus(allocated);
    if (rest.isEmpty()) agent.allocations.delete(frameworkId);
    else agent.allocations.set(frameworkId, rest);
    this.count(allocated, -1);
    const freed = agent.available.plus(allocated.unallocate());
    if (agent.total.contains(freed)) {
      agent.available = freed;
      return;
    }
    // The agent held more than its total (it came back running more): free is what the total has beyond what is still held.
    let held = ResourcesValue.EMPTY;
    for (const resources of agent.allocations.values()) held = held.plus(resources.unallocate());
    agent.available = agent.total.minus(held);
  }

  private count(allocated: Resources, sign: 1 | -1): void {
    for (const r of allocated) {
      if (r.allocationRole === undefined) continue;
      let byName = this.allocatedByRole.get(r.allocationRole);
      if (byName === undefined) this.allocatedByRole.set(r.allocationRole, (byName = new Map<string, number>()));
      for (const [name, amount] of scalarsOf(ResourcesValue.of(r))) byName.set(name, (byName.get(name) ?? 0) + sign * amount);
    }
  }

  private need<K, V>(map: Map<K, V>, id: K, what: string): V {
    const value = map.get(id);
    if (value === undefined) throw new Error(`Unknown ${what} '${String(id)}'`);
    return value;
  }
}
