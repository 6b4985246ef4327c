import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentId, FrameworkId, orThrow, parseResources, type Resources } from '@ts-mesos/protocol';
import type { Allocator, OfferDecision } from './allocator.js';
import { HierarchicalAllocator } from './hierarchical-allocator.js';

const r = (text: string): Resources => orThrow(parseResources(text));
const fw = (n: string | number) => FrameworkId(`f${n}`);
const ag = (n: string | number) => AgentId(`a${n}`);

function cpusBy(decisions: readonly OfferDecision[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of decisions) out.set(d.frameworkId, (out.get(d.frameworkId) ?? 0) + d.resources.cpus());
  return out;
}

describe('HierarchicalAllocator scenarios', () => {
  it('offers a free agent to a framework, marks it allocated, and says why nothing is left', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw(1), { roles: ['web'] });
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus:4;mem:1024;ports:[31000-31009]') });
    const [offer, ...rest] = a.allocate(0);
    expect(rest).toEqual([]);
    expect(offer).toMatchObject({ frameworkId: 'f1', agentId: 'a1', role: 'web' });
    expect(offer!.resources.unallocate().equals(r('cpus:4;mem:1024;ports:[31000-31009]'))).toBe(true);
    expect(offer!.resources.items.every((x) => x.allocationRole === 'web')).toBe(true);
    expect(a.allocate(0)).toEqual([]);
    expect(a.explain(fw(1), ag(1), 0)).toBe('insufficient_resources');
  });

  it('honours decline filters until they expire, and revive clears them', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw(1), { roles: ['*'] });
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus:2;mem:256') });
    const [offer] = a.allocate(0);
    a.recoverResources(fw(1), ag(1), offer!.resources, 10, 0);
    expect(a.allocate(9_999)).toEqual([]);
    expect(a.explain(fw(1), ag(1), 9_999)).toBe('filtered');
    expect(a.allocate(10_000)).toHaveLength(1);
    const [again] = a.allocate(10_000).concat(a.allocate(10_000));
    expect(again).toBeUndefined();
    a.recoverResources(fw(1), ag(1), r('cpus:2;mem:256').allocate('*'), 3600, 10_000);
    a.reviveOffers(fw(1));
    expect(a.allocate(10_001)).toHaveLength(1);
  });

  it('offers nothing to a suppressed role', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw(1), { roles: ['web'] });
    a.suppressOffers(fw(1));
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus:2;mem:256') });
    expect(a.allocate(0)).toEqual([]);
    expect(a.explain(fw(1), ag(1), 0)).toBe('suppressed');
    a.reviveOffers(fw(1));
    expect(a.allocate(0)).toHaveLength(1);
  });

  it('gives reserved resources only to their role (and roles below it), revocable only to frameworks that take them', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw('dev'), { roles: ['dev'] });
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus(ops):2;mem(ops):512') });
    expect(a.allocate(0)).toEqual([]);
    expect(a.explain(fw('dev'), ag(1), 0)).toBe('role_mismatch');
    a.addFramework(fw('web'), { roles: ['ops/web'] });
    const [offer] = a.allocate(0);
    expect(offer).toMatchObject({ frameworkId: 'fweb', role: 'ops/web' });
    expect(offer!.resources.cpus()).toBe(2);

    const b = new HierarchicalAllocator();
    b.addFramework(fw('plain'), { roles: ['*'] });
    b.addAgent(ag(2), { hostname: 'h2', total: orThrow(parseResources('[{"name":"cpus","type":"SCALAR","scalar":{"value":4},"revocable":{}},{"name":"mem","type":"SCALAR","scalar":{"value":64}}]')) });
    const [plain] = b.allocate(0);
    expect(plain!.resources.revocable().isEmpty()).toBe(true);
    b.addFramework(fw('rev'), { roles: ['*'], revocable: true });
    const [rev] = b.allocate(0);
    expect(rev).toMatchObject({ frameworkId: 'frev' });
    expect(rev!.resources.revocable().cpus()).toBe(4);
  });

  it('splits agents between roles in proportion to their weights', () => {
    const a = new HierarchicalAllocator({ seed: 7 });
    a.updateWeights(new Map([['gold', 2]]));
    a.addFramework(fw('g'), { roles: ['gold'] });
    a.addFramework(fw('s'), { roles: ['silver'] });
    for (let i = 0; i < 30; i++) a.addAgent(ag(i), { hostname: `h${i}`, total: r('cpus:1;mem:128') });
    const got = cpusBy(a.allocate(0));
    expect(got.get('fg')).toBe(20);
    expect(got.get('fs')).toBe(10);
  });

  it('serves a quota guarantee first and never exceeds a quota limit', () => {
    const a = new HierarchicalAllocator({ seed: 3 });
    a.updateQuota('q', { guarantees: { cpus: 4 }, limits: {} });
    a.updateQuota('capped', { guarantees: {}, limits: { cpus: 3 } });
    a.addFramework(fw('q'), { roles: ['q'] });
    a.addFramework(fw('c'), { roles: ['capped'] });
    a.addFramework(fw('other'), { roles: ['other'] });
    for (let i = 0; i < 6; i++) a.addAgent(ag(i), { hostname: `h${i}`, total: r('cpus:2;mem:512') });
    const got = cpusBy(a.allocate(0));
    expect(got.get('fq')).toBeGreaterThanOrEqual(4);
    expect(got.get('fc')).toBeLessThanOrEqual(3);
    expect([...got.values()].reduce((x, y) => x + y, 0)).toBe(12);
    expect(got.get('fc')).toBe(3);
  });

  it('says a framework got nothing because of its role\'s quota limit', () => {
    const a = new HierarchicalAllocator();
    a.updateQuota('capped', { guarantees: {}, limits: { cpus: 2 } });
    a.addFramework(fw('c'), { roles: ['capped'] });
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus:2;mem:64') });
    a.addAgent(ag(2), { hostname: 'h2', total: r('cpus:2;mem:64') });
    expect(cpusBy(a.allocate(0)).get('fc')).toBe(2);
    const idle = [ag(1), ag(2)].find((id) => a.explain(fw('c'), id, 0) !== 'insufficient_resources');
    expect(idle).toBeDefined();
    expect(a.explain(fw('c'), idle!, 0)).toBe('quota_limit');
  });

  it('orders hierarchical roles by the share of each subtree', () => {
    const a = new HierarchicalAllocator({ seed: 1 });
    a.addFramework(fw('ab'), { roles: ['a/b'] });
    a.addFramework(fw('ac'), { roles: ['a/c'] });
    a.addFramework(fw('d'), { roles: ['d'] });
    for (let i = 0; i < 12; i++) a.addAgent(ag(i), { hostname: `h${i}`, total: r('cpus:1;mem:64') });
    const got = cpusBy(a.allocate(0));
    // 'a' and 'd' share the cluster equally; a/b and a/c share a's half.
    expect(got.get('fd')).toBe(6);
    expect(got.get('fab')).toBe(3);
    expect(got.get('fac')).toBe(3);
  });

  it('a prompt run looks only at agents whose free resources changed; a new framework or the periodic run looks at all', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw(1), { roles: ['*'] });
    for (const i of [1, 2, 3]) a.addAgent(ag(i), { hostname: `h${i}`, total: r('cpus:2;mem:256') });
    const first = a.allocate(0, 'changed');
    expect(first.map((d) => d.agentId).sort()).toEqual(['a1', 'a2', 'a3']);
    const on = (id: string): OfferDecision => first.find((d) => d.agentId === id)!;
    // a1 declined for 10 s: free, filtered, and no longer a candidate after the next run.
    a.recoverResources(fw(1), ag(1), on('a1').resources, 10, 0);
    expect(a.allocate(100, 'changed')).toEqual([]);
    // A new framework concerns every agent: a1 goes to it though a1 did not change.
    a.addFramework(fw(2), { roles: ['*'] });
    expect(a.allocate(200, 'changed')).toMatchObject([{ frameworkId: 'f2', agentId: 'a1' }]);
    a.suppressOffers(fw(2));
    // a2 declined for 1 s: once the filter expires only time has changed, which a prompt run
    // does not look at; the periodic run over every agent offers it again.
    a.recoverResources(fw(1), ag(2), on('a2').resources, 1, 200);
    expect(a.allocate(300, 'changed')).toEqual([]);
    expect(a.allocate(1300, 'changed')).toEqual([]);
    expect(a.allocate(1300, 'all')).toMatchObject([{ frameworkId: 'f1', agentId: 'a2' }]);
    // Resources freed with no filter are offered at the next prompt run.
    a.recoverResources(fw(1), ag(3), on('a3').resources, 0, 1300);
    expect(a.allocate(1400, 'changed').map((d) => d.agentId)).toEqual(['a3']);
  });

  it('returns a removed framework\'s resources to the pool', () => {
    const a = new HierarchicalAllocator();
    a.addFramework(fw(1), { roles: ['*'] });
    a.addAgent(ag(1), { hostname: 'h1', total: r('cpus:2;mem:256') });
    expect(a.allocate(0)).toHaveLength(1);
    a.removeFramework(fw(1));
    a.addFramework(fw(2), { roles: ['*'] });
    expect(a.allocate(0)).toMatchObject([{ frameworkId: 'f2' }]);
  });
});

/** A random run: frameworks, agents, allocations, declines with filters, time passing. */
const runArb = fc.record({
  frameworks: fc.array(fc.record({ role: fc.constantFrom('*', 'a', 'b', 'a/x'), weight: fc.constantFrom(1, 2, 3) }), { minLength: 1, maxLength: 6 }),
  agents: fc.array(fc.record({ cpus: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 64, max: 4096 }), reservedTo: fc.constantFrom(undefined, 'a', 'b') }), { minLength: 1, maxLength: 12 }),
  limit: fc.integer({ min: 1, max: 10 }),
  steps: fc.array(fc.record({ declineEvery: fc.integer({ min: 1, max: 3 }), refuse: fc.constantFrom(undefined, 0, 1, 5, 1000), advanceMs: fc.integer({ min: 0, max: 3000 }), scope: fc.constantFrom('all' as const, 'changed' as const) }), { minLength: 1, maxLength: 8 }),
  seed: fc.integer(),
});

type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function setUp(run: Run): { a: Allocator; totals: Map<string, Resources> } {
  const a = new HierarchicalAllocator({ seed: run.seed });
  a.updateQuota('b', { guarantees: {}, limits: { cpus: run.limit } });
  const totals = new Map<string, Resources>();
  run.frameworks.forEach((f, i) => {
    a.updateWeights(new Map([[f.role === '*' ? 'star' : f.role, f.weight]]));
    a.addFramework(fw(i), { roles: [f.role] });
  });
  run.agents.forEach((spec, i) => {
    const text = spec.reservedTo === undefined ? `cpus:${spec.cpus};mem:${spec.mem}` : `cpus:${spec.cpus};mem:${spec.mem};cpus(${spec.reservedTo}):1`;
    totals.set(ag(i), r(text));
    a.addAgent(ag(i), { hostname: `h${i}`, total: r(text) });
  });
  return { a, totals };
}

describe('HierarchicalAllocator invariants (properties)', () => {
  it('never over-allocates an agent, never offers a resource twice, never exceeds a quota limit', () => {
    fc.assert(
      fc.property(runArb, (run) => {
        const { a, totals } = setUp(run);
        const held = new Map<string, Resources>(); // agent -> everything currently allocated there
        let now = 0;
        let roleB = 0;
        for (const step of run.steps) {
          const decisions = a.allocate(now, step.scope);
          decisions.forEach((d, i) => {
            const total = totals.get(d.agentId)!;
            const after = (held.get(d.agentId) ?? r('')).plus(d.resources.unallocate());
            expect(total.contains(after)).toBe(true);
            held.set(d.agentId, after);
            if (d.role === 'b') roleB += d.resources.cpus();
            if (i % step.declineEvery === 0) {
              a.recoverResources(d.frameworkId, d.agentId, d.resources, step.refuse, now);
              held.set(d.agentId, held.get(d.agentId)!.minus(d.resources.unallocate()));
              if (d.role === 'b') roleB -= d.resources.cpus();
            }
          });
          expect(roleB).toBeLessThanOrEqual(run.limit + 1e-9);
          now += step.advanceMs;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('offers a filtered agent to that framework only after the filter expires', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 200_000 }), (refuse, later) => {
        const a = new HierarchicalAllocator();
        a.addFramework(fw(1), { roles: ['*'] });
        a.addAgent(ag(1), { hostname: 'h', total: r('cpus:1;mem:64') });
        const [offer] = a.allocate(0);
        a.recoverResources(fw(1), ag(1), offer!.resources, refuse, 0);
        const got = a.allocate(later);
        expect(got.length).toBe(later >= refuse * 1000 ? 1 : 0);
      }),
    );
  });

  it('serves the framework with the lowest weighted dominant share first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpus: fc.integer({ min: 0, max: 50 }), mem: fc.integer({ min: 0, max: 50 }), weight: fc.constantFrom(1, 2, 4) }), { minLength: 2, maxLength: 6 }),
        (specs) => {
          const a = new HierarchicalAllocator();
          const big = ag('big');
          const used = new Map<FrameworkId, Resources>();
          specs.forEach((s, i) => {
            a.updateWeights(new Map([[`r${i}`, s.weight]]));
            a.addFramework(fw(i), { roles: [`r${i}`] });
            if (s.cpus + s.mem > 0) used.set(fw(i), r(`cpus:${s.cpus || 0.001};mem:${s.mem || 0.001}`).allocate(`r${i}`));
          });
          a.addAgent(big, { hostname: 'big', total: r('cpus:300;mem:300') }, used);
          a.deactivateAgent(big); // only the new agent is on offer
          a.addAgent(ag('new'), { hostname: 'new', total: r('cpus:1;mem:1') });
          const totalCpus = 301;
          const totalMem = 301;
          const shares = specs.map((s, i) => ({ i, share: Math.max(s.cpus / totalCpus, s.mem / totalMem) / s.weight }));
          const lowest = Math.min(...shares.map((s) => s.share));
          const decisions = a.allocate(0).filter((d) => d.agentId === 'anew');
          expect(decisions).toHaveLength(1);
          const winner = Number(decisions[0]!.frameworkId.slice(1));
          expect(shares[winner]!.share).toBeCloseTo(lowest, 9);
        },
      ),
    );
  });
});
