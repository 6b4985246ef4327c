import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryNetwork, Runtime, silentLogger, VirtualClock } from '@ts-mesos/libprocess';
import { AgentId, FrameworkId, orThrow, parseResources, type Resources } from '@ts-mesos/protocol';
import {
  type Allocator,
  AllocatorLoadError,
  AllocatorProcess,
  BUILT_IN_ALLOCATORS,
  FirstFitAllocator,
  HierarchicalAllocator,
  loadAllocator,
  type OfferDecision,
} from '../src/index.js';

const r = (text: string): Resources => orThrow(parseResources(text));
const f1 = FrameworkId('f1');
const f2 = FrameworkId('f2');
const a1 = AgentId('a1');
const a2 = AgentId('a2');

/** The plugin contract, run against every allocator that ships. */
describe.each([
  ['HierarchicalDRF', () => new HierarchicalAllocator()],
  ['first-fit', () => new FirstFitAllocator()],
] as [string, () => Allocator][])('%s keeps the allocator contract', (_name, make) => {
  it('offers every free resource once, and again only after it is recovered', () => {
    const a = make();
    a.addFramework(f1, { roles: ['*'] });
    a.addFramework(f2, { roles: ['*'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:2;mem:256;ports:[31000-31001]') });
    a.addAgent(a2, { hostname: 'h2', total: r('cpus:1;mem:128') });
    const first = a.allocate(0);
    const offered = first.reduce((sum, d) => sum.plus(d.resources.unallocate()), r(''));
    expect(offered.equals(r('cpus:3;mem:384;ports:[31000-31001]'))).toBe(true);
    expect(a.allocate(0)).toEqual([]);
    const some = first[0]!;
    a.recoverResources(some.frameworkId, some.agentId, some.resources, undefined, 0);
    const again = a.allocate(0);
    expect(again.reduce((sum, d) => sum.plus(d.resources.unallocate()), r('')).equals(some.resources.unallocate())).toBe(true);
  });

  it('updateAllocation converts what a framework holds (RESERVE) and leaves the rest free once', () => {
    const a = make();
    a.addFramework(f1, { roles: ['ops'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:4;mem:512') });
    const [offer] = a.allocate(0);
    expect(offer!.resources.unallocate().equals(r('cpus:4;mem:512'))).toBe(true);
    const from = r('cpus:1;mem:128').allocate('ops');
    const to = r('cpus(ops):1;mem(ops):128').allocate('ops');
    a.updateAllocation(f1, a1, from, to);
    // Nothing is free: the framework holds everything, part of it now reserved.
    expect(a.allocate(0)).toEqual([]);
    a.recoverResources(f1, a1, offer!.resources.minus(from).plus(to), undefined, 0);
    const [again] = a.allocate(0);
    expect(again!.resources.unallocate().equals(r('cpus:3;mem:384;cpus(ops):1;mem(ops):128'))).toBe(true);
  });

  it('offers nothing beyond the total of an agent that came back running more than it, also once those tasks end', () => {
    const a = make();
    a.addFramework(f1, { roles: ['*'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:4;mem:1024') }, new Map([[f1, r('cpus:6;mem:512').allocate('*')]]));
    const [first] = a.allocate(0);
    expect(first!.resources.unallocate().toString()).toBe('mem:512');
    // Its tasks end: what is free is the total less the offer outstanding, not 6 cpus.
    a.recoverResources(f1, a1, r('cpus:6;mem:512').allocate('*'), undefined, 0);
    const [second] = a.allocate(0);
    expect(second!.resources.unallocate().equals(r('cpus:4;mem:512'))).toBe(true);
    a.recoverResources(f1, a1, first!.resources, undefined, 0);
    a.recoverResources(f1, a1, second!.resources, undefined, 0);
    const [whole] = a.allocate(0);
    expect(whole!.resources.unallocate().equals(r('cpus:4;mem:1024'))).toBe(true);
  });

  it("holds what a framework not yet added uses on an agent once, not again when the framework is added with it", () => {
    const a = make();
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:4;mem:1024') }, new Map([[f1, r('cpus:1;mem:512').allocate('*')]]));
    a.addFramework(f2, { roles: ['*'] });
    const [offer] = a.allocate(0);
    expect(offer!.resources.unallocate().equals(r('cpus:3;mem:512'))).toBe(true);
    a.recoverResources(f2, a1, offer!.resources, undefined, 0);
    // Framework 1 subscribes again with its tasks: they were not free, and still are not, once.
    a.addFramework(f1, { roles: ['*'] }, new Map([[a1, r('cpus:1;mem:512').allocate('*')]]));
    const offers = a.allocate(0);
    expect(offers.reduce((sum, o) => sum.plus(o.resources.unallocate()), r('cpus:0')).equals(r('cpus:3;mem:512'))).toBe(true);
    // And they come back when its tasks end.
    for (const o of offers) a.recoverResources(o.frameworkId, a1, o.resources, undefined, 0);
    a.recoverResources(f1, a1, r('cpus:1;mem:512').allocate('*'), undefined, 0);
    expect(a.allocate(0).reduce((sum, o) => sum.plus(o.resources.unallocate()), r('cpus:0')).equals(r('cpus:4;mem:1024'))).toBe(true);
  });

  it('frees what a framework not yet added used on an agent when its tasks end before it subscribes again', () => {
    const a = make();
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:4;mem:1024') }, new Map([[f1, r('cpus:1;mem:512').allocate('*')]]));
    a.recoverResources(f1, a1, r('cpus:1;mem:512').allocate('*'), undefined, 0);
    a.addFramework(f2, { roles: ['*'] });
    expect(a.allocate(0).reduce((sum, o) => sum.plus(o.resources.unallocate()), r('cpus:0')).equals(r('cpus:4;mem:1024'))).toBe(true);
  });

  it('keeps a declined agent from the framework until the filter expires', () => {
    const a = make();
    a.addFramework(f1, { roles: ['*'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:1;mem:64') });
    const [offer] = a.allocate(0);
    a.recoverResources(f1, a1, offer!.resources, 5, 0);
    expect(a.allocate(4_999)).toEqual([]);
    expect(a.explain(f1, a1, 4_999)).toBe('filtered');
    expect(a.allocate(5_000)).toHaveLength(1);
  });

  it('honours suppression, reservations, revocability and quota limits', () => {
    const a = make();
    a.updateQuota('capped', { guarantees: {}, limits: { cpus: 1 } });
    a.addFramework(f1, { roles: ['capped'] });
    a.addFramework(f2, { roles: ['ops'], suppressedRoles: ['ops'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:4;mem:512;cpus(ops):2') });
    const decisions: OfferDecision[] = a.allocate(0);
    expect(decisions.every((d) => d.frameworkId === 'f1')).toBe(true);
    expect(decisions.reduce((n, d) => n + d.resources.cpus(), 0)).toBeLessThanOrEqual(1);
    expect(decisions.every((d) => d.resources.reserved().isEmpty())).toBe(true);
    expect(a.explain(f2, a1, 0)).toBe('suppressed');
    a.reviveOffers(f2);
    const forOps = a.allocate(0).filter((d) => d.frameworkId === 'f2');
    expect(forOps.reduce((n, d) => n + d.resources.reserved('ops').cpus(), 0)).toBe(2);
  });

  it('frees a removed agent\'s and framework\'s allocations', () => {
    const a = make();
    a.addFramework(f1, { roles: ['*'] });
    a.addAgent(a1, { hostname: 'h1', total: r('cpus:1;mem:64') });
    expect(a.allocate(0)).toHaveLength(1);
    a.removeFramework(f1);
    a.addFramework(f2, { roles: ['*'] });
    expect(a.allocate(0)).toMatchObject([{ frameworkId: 'f2' }]);
    a.removeAgent(a1);
    expect(a.allocate(0)).toEqual([]);
  });
});

describe('loadAllocator (--allocator)', () => {
  it('knows the built-ins by name', async () => {
    expect(Object.keys(BUILT_IN_ALLOCATORS)).toEqual(['HierarchicalDRF', 'hierarchical', 'first-fit']);
    expect(await loadAllocator('HierarchicalDRF')).toBeInstanceOf(HierarchicalAllocator);
    expect(await loadAllocator('first-fit')).toBeInstanceOf(FirstFitAllocator);
  });

  it('loads a third-party plugin from a file path', async () => {
    const path = fileURLToPath(new URL('./fixtures/third-party-allocator.ts', import.meta.url));
    const allocator = await loadAllocator(path);
    expect((allocator as unknown as { thirdParty: boolean }).thirdParty).toBe(true);
    allocator.addFramework(f1, { roles: ['*'] });
    allocator.addAgent(a1, { hostname: 'h', total: r('cpus:1;mem:64') });
    expect(allocator.allocate(0)).toHaveLength(1);
  });

  it('refuses modules that are missing or not allocators, saying why', async () => {
    await expect(loadAllocator('/nowhere/allocator.js')).rejects.toThrow(AllocatorLoadError);
    const bad = fileURLToPath(new URL('./fixtures/not-an-allocator.ts', import.meta.url));
    await expect(loadAllocator(bad)).rejects.toThrow(/is missing addFramework, updateFramework/);
  });
});

describe('AllocatorProcess', () => {
  it('allocates promptly after events, once per batch, and every interval on the clock', async () => {
    const clock = new VirtualClock();
    const runtime = new Runtime({ transport: new MemoryNetwork().transport(), clock, logger: silentLogger() });
    await runtime.start();
    const batches: OfferDecision[][] = [];
    const pid = runtime.spawn(new AllocatorProcess(new HierarchicalAllocator(), { intervalMs: 1000, onOffers: (d) => batches.push(d) }));
    await runtime.dispatch(pid, (p) => p.update((core) => core.addFramework(f1, { roles: ['*'] })));
    await runtime.dispatch(pid, (p) => p.update((core) => core.addAgent(a1, { hostname: 'h1', total: r('cpus:1;mem:64') })));
    void runtime.dispatch(pid, (p) => p.update((core) => core.addAgent(a2, { hostname: 'h2', total: r('cpus:1;mem:64') })));
    await runtime.settle();
    expect(batches.flat()).toHaveLength(2);
    const [first] = batches.flat();
    await runtime.dispatch(pid, (p) => p.core.recoverResources(first!.frameworkId, first!.agentId, first!.resources, undefined, clock.now()));
    await runtime.settle();
    expect(batches.flat()).toHaveLength(2); // no event-driven run for a bare core call
    await runtime.advance(1000);
    expect(batches.flat()).toHaveLength(3); // the interval picked it up
    const metrics = await runtime.dispatch(pid, (p) => p.metrics());
    expect(metrics['allocator/mesos/allocation_runs']).toBeGreaterThanOrEqual(3);
    expect(metrics).toHaveProperty('allocator/mesos/allocation_run_ms');
    expect(metrics).toHaveProperty('allocator/mesos/event_queue_dispatches');
    await runtime.stop();
  });

  it('makes the periodic run over a large cluster in slices, one turn each, covering every agent once', async () => {
    const clock = new VirtualClock();
    const runtime = new Runtime({ transport: new MemoryNetwork().transport(), clock, logger: silentLogger() });
    await runtime.start();
    const batches: OfferDecision[][] = [];
    const core = new HierarchicalAllocator();
    runtime.spawn(new AllocatorProcess(core, { intervalMs: 1000, sliceAgents: 4, onOffers: (d) => batches.push(d) }));
    // A framework and ten agents, straight into the core: no prompt run, only the periodic one.
    core.addFramework(f1, { roles: ['*'] });
    for (let i = 0; i < 10; i++) core.addAgent(AgentId(`s${i}`), { hostname: `s${i}`, total: r('cpus:1;mem:64') });
    await runtime.advance(1000);
    // ceil(10 / 4) = 3 slices: the first at the tick, the others on later turns.
    expect(batches.map((b) => b.length)).toEqual([3, 3, 4]);
    const offered = batches.flat().map((d) => d.agentId);
    expect(new Set(offered).size).toBe(10);
    await runtime.stop();
  });

  it('keeps its periodic runs going after one that throws', async () => {
    const clock = new VirtualClock();
    const runtime = new Runtime({ transport: new MemoryNetwork().transport(), clock, logger: silentLogger() });
    await runtime.start();
    const core = new HierarchicalAllocator();
    let failing = 2;
    const allocate = core.allocate.bind(core);
    core.allocate = (now, scope) => {
      if (failing > 0) {
        failing--;
        throw new Error('a bug in a run');
      }
      return allocate(now, scope);
    };
    const batches: OfferDecision[][] = [];
    runtime.spawn(new AllocatorProcess(core, { intervalMs: 1000, onOffers: (d) => batches.push(d) }));
    core.addFramework(f1, { roles: ['*'] });
    core.addAgent(a1, { hostname: 'h1', total: r('cpus:1;mem:64') });
    await runtime.advance(2000); // two runs, both throw
    expect(batches).toEqual([]);
    await runtime.advance(1000);
    expect(batches.flat().map((d) => d.agentId)).toEqual([a1]);
    await runtime.stop();
  });
});

describe('sliced runs of the hierarchical allocator', () => {
  it('split the agents into disjoint parts that together are a run over all', () => {
    const parts = 3;
    const sliced = new HierarchicalAllocator({ seed: 7 });
    sliced.addFramework(f1, { roles: ['*'] });
    for (let i = 0; i < 20; i++) sliced.addAgent(AgentId(`p${i}`), { hostname: `p${i}`, total: r('cpus:1;mem:64') });
    const seen = new Set<string>();
    for (let part = 0; part < parts; part++) {
      for (const d of sliced.allocate(0, { part, parts })) {
        expect(seen.has(d.agentId)).toBe(false);
        seen.add(d.agentId);
      }
    }
    expect(seen.size).toBe(20);
    expect(sliced.allocate(0, 'all')).toEqual([]);
    expect(sliced.agentCount()).toBe(20);
  });
});
