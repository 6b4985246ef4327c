import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orThrow } from '../result.js';
import { MAX_SCALAR } from './fixed-point.js';
import { ranges, type Resource, scalar, set } from './resource.js';
import { Resources } from './resources.js';
import { formatResources, parseResources } from './resources-text.js';

const roles = fc.constantFrom('*', 'ops', 'ops/web', 'dev');
const options = (role: string) => (role === '*' ? {} : { reservations: [{ type: 'STATIC' as const, role }] });

const scalarArb: fc.Arbitrary<Resource> = fc
  .tuple(fc.constantFrom('cpus', 'mem', 'disk'), fc.integer({ min: 1, max: 10_000_000 }), roles)
  .map(([name, thousandths, role]) => scalar(name, thousandths / 1000, options(role)));
/**
 * Ranges and set items are units (a port, a GPU): adding one twice is a union, as in Mesos,
 * so `a + b - b == a` holds when a and b do not share any. Each side draws from its own pool.
 */
const rangesArb = (base: number): fc.Arbitrary<Resource> =>
  fc
    .tuple(fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 4 }), roles)
    .map(([pairs, role]) => ranges('ports', pairs.map(([b, len]) => [base + b, base + b + len] as [number, number]), options(role)));
const setArb = (pool: readonly string[]): fc.Arbitrary<Resource> =>
  fc.tuple(fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1 }), roles).map(([items, role]) => set('gpus', items, options(role)));
const side = (base: number, pool: readonly string[]) =>
  fc.array(fc.oneof(scalarArb, rangesArb(base), setArb(pool)), { maxLength: 8 }).map((rs) => Resources.of(...rs));
const resourcesArb = side(31_000, ['gpu0', 'gpu1', 'gpu2', 'gpu3']);
const otherArb = side(40_000, ['gpu4', 'gpu5', 'gpu6', 'gpu7']);

describe('Resources arithmetic (properties)', () => {
  it('a + b - b == a', () => {
    fc.assert(
      fc.property(resourcesArb, otherArb, (a, b) => {
        expect(a.plus(b).minus(b).equals(a)).toBe(true);
      }),
    );
  });

  it('a + b contains a and b', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, (a, b) => {
        expect(a.plus(b).contains(a)).toBe(true);
        expect(a.plus(b).contains(b)).toBe(true);
      }),
    );
  });

  it('subtraction never goes negative and never adds', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, (a, b) => {
        const rest = a.minus(b);
        for (const r of rest) if (r.type === 'SCALAR') expect(r.fixed).toBeGreaterThan(0);
        expect(a.contains(rest)).toBe(true);
      }),
    );
  });

  it('addition commutes, and contains agrees with subtraction', () => {
    fc.assert(
      fc.property(resourcesArb, resourcesArb, (a, b) => {
        expect(a.plus(b).equals(b.plus(a))).toBe(true);
        if (a.contains(b)) expect(a.minus(b).plus(b).equals(a)).toBe(true);
      }),
    );
  });

  it('text form round-trips: parse(format(r)) == r', () => {
    fc.assert(
      fc.property(resourcesArb, (r) => {
        const text = formatResources(r);
        expect(orThrow(parseResources(text)).equals(r)).toBe(true);
      }),
    );
  });

  it('JSON form round-trips, dynamic reservations and volumes included', () => {
    const dynamic = scalar('cpus', 2, { reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'alice', labels: [{ key: 'k', value: 'v' }] }] });
    const volume = scalar('disk', 64, {
      reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'alice' }],
      disk: { persistence: { id: 'vol-1', principal: 'alice' }, volume: { container_path: 'data', mode: 'RW' } },
    });
    fc.assert(
      fc.property(resourcesArb, (r) => {
        const all = r.plus(dynamic).plus(volume).plus(scalar('cpus', 1, { revocable: true }));
        const back = orThrow(Resources.fromJson(JSON.parse(JSON.stringify(all))));
        expect(back.equals(all)).toBe(true);
      }),
    );
  });
});

describe('Resources semantics', () => {
  it('is exact to three decimals: 0.1 + 0.2 cpus is 0.3 cpus', () => {
    const sum = Resources.of(scalar('cpus', 0.1)).plus(scalar('cpus', 0.2));
    expect(sum.cpus()).toBe(0.3);
    expect(sum.equals(Resources.of(scalar('cpus', 0.3)))).toBe(true);
    let many = Resources.EMPTY;
    for (let i = 0; i < 1000; i++) many = many.plus(scalar('cpus', 0.001));
    expect(many.cpus()).toBe(1);
    expect(Resources.of(scalar('mem', 1.0005)).mem()).toBe(1.001);
  });

  it('rejects negative, NaN, infinite and overflowing quantities', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e16]) expect(() => scalar('cpus', bad)).toThrow(RangeError);
    expect(Resources.fromJson([{ name: 'cpus', type: 'SCALAR', scalar: { value: -2 } }])).toEqual({
      ok: false,
      error: '/0/scalar/value: -2 is not a valid quantity (finite, 0 to 9007199254740)',
    });
  });

  it('keeps resources of different reservations apart and sums by name on request', () => {
    const r = orThrow(parseResources('cpus:4;mem:4096;cpus(ops):2;ports:[31000-32000]'));
    expect(r.size).toBe(4);
    expect(r.cpus()).toBe(6);
    expect(r.unreserved().cpus()).toBe(4);
    expect(r.reserved('ops').cpus()).toBe(2);
    expect(r.flatten().size).toBe(3);
    expect(r.flatten().cpus()).toBe(6);
    expect(r.ports()).toEqual([[31000, 32000]]);
  });

  it('offers reservations of a role to that role and its descendants only', () => {
    const r = orThrow(parseResources('cpus:1;cpus(ops):2;cpus(ops/web):4;cpus(dev):8'));
    expect(r.allocatableTo('ops').cpus()).toBe(3);
    expect(r.allocatableTo('ops/web').cpus()).toBe(7);
    expect(r.allocatableTo('ops/web/api').cpus()).toBe(7);
    expect(r.allocatableTo('opsx').cpus()).toBe(1);
    expect(r.allocatableTo('dev').cpus()).toBe(9);
  });

  it('subtracts ranges and sets, splitting ranges', () => {
    const have = orThrow(parseResources('ports:[31000-31009];gpus:{a,b,c}'));
    const take = orThrow(parseResources('ports:[31003-31004];gpus:{b}'));
    expect(formatResources(have.minus(take))).toBe('ports:[31000-31002,31005-31009];gpus:{a,c}');
    expect(have.contains(take)).toBe(true);
    expect(have.contains(orThrow(parseResources('ports:[31009-31010]')))).toBe(false);
  });

  it('never merges persistent volumes, and removes one only whole', () => {
    const volume = (id: string) =>
      scalar('disk', 10, { reservations: [{ type: 'DYNAMIC', role: 'ops' }], disk: { persistence: { id }, volume: { container_path: 'd', mode: 'RW' } } });
    const two = Resources.of(volume('a'), volume('b'));
    expect(two.persistentVolumes().size).toBe(2);
    expect(two.minus(volume('a')).size).toBe(1);
    const partial = scalar('disk', 5, { reservations: [{ type: 'DYNAMIC', role: 'ops' }], disk: { persistence: { id: 'a' }, volume: { container_path: 'd', mode: 'RW' } } });
    expect(two.contains(partial)).toBe(false);
    expect(two.minus(partial).equals(two)).toBe(true);
  });

  it('allocates to a role, and allocation is part of identity', () => {
    const r = orThrow(parseResources('cpus:2;mem:128'));
    const allocated = r.allocate('ops');
    expect(allocated.items.every((x) => x.allocationRole === 'ops')).toBe(true);
    expect(allocated.contains(r)).toBe(false);
    expect(allocated.unallocate().equals(r)).toBe(true);
    expect(r.pushReservation({ type: 'DYNAMIC', role: 'ops', principal: 'p' }).popReservation().equals(r)).toBe(true);
  });

  it('moves resources in and out of a role, and adding to nothing is the bag itself', () => {
    const r = orThrow(parseResources('cpus:2;mem:128;ports:[31000-31009]'));
    const allocated = r.allocate('ops');
    expect(allocated.unallocate().equals(r)).toBe(true);
    expect(r.allocate('ops').items).toEqual(allocated.items);
    // Another role is another variant, with its own identity.
    const dev = r.allocate('dev');
    expect(dev.items.every((x) => x.allocationRole === 'dev')).toBe(true);
    expect(dev.contains(allocated)).toBe(false);
    expect(dev.unallocate().equals(r)).toBe(true);
    expect(Resources.EMPTY.plus(allocated)).toBe(allocated);
    expect(allocated.plus(Resources.EMPTY)).toBe(allocated);
  });

  it('unallocates a bag it did not allocate itself: every resource loses its role, and its key says so', () => {
    const r = orThrow(parseResources('cpus:2;mem:128;ports:[31000-31009];zones:{a,b}'));
    // Rebuilt from its items (as from JSON), the bag does not know where it came from.
    const allocated = Resources.of(...r.allocate('ops').items);
    const plain = allocated.unallocate();
    expect(plain.items.map((x) => [x.allocationRole, x.key])).toEqual(r.items.map((x) => [undefined, x.key]));
    expect(plain.equals(r)).toBe(true);
    // And after arithmetic on the allocated bag.
    const rest = allocated.minus(orThrow(parseResources('cpus:1')).allocate('ops')).unallocate();
    expect(rest.items.every((x) => x.allocationRole === undefined)).toBe(true);
    expect(rest.equals(orThrow(parseResources('cpus:1;mem:128;ports:[31000-31009];zones:{a,b}')))).toBe(true);
  });
});

describe('Resources identity', () => {
  it('does not depend on the order properties were written in, nor on label order', () => {
    const parsed = orThrow(
      Resources.fromJson([
        { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'p', labels: { labels: [{ key: 'a', value: '1' }, { key: 'b' }] } }] },
      ]),
    );
    const pushed = Resources.of(scalar('cpus', 1)).pushReservation({ labels: [{ key: 'b' }, { value: '1', key: 'a' }], principal: 'p', role: 'ops', type: 'DYNAMIC' });
    expect(pushed.equals(parsed)).toBe(true);
    expect(pushed.add(parsed).size).toBe(1);
    expect(pushed.add(parsed).cpus()).toBe(2);
  });

  it('tells apart reservations that differ in type, principal or labels, and revocable from not', () => {
    const base = Resources.of(scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'p' }] }));
    for (const other of [
      scalar('cpus', 1, { reservations: [{ type: 'STATIC', role: 'ops' }] }),
      scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'q' }] }),
      scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'p', labels: [{ key: 'k' }] }] }),
      scalar('cpus', 1, { reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'p' }], revocable: true }),
    ]) {
      expect(base.add(other).size).toBe(2);
      expect(base.contains(other)).toBe(false);
    }
  });
});

describe('indivisible resources (Mesos addable/subtractable)', () => {
  const reserved = [{ type: 'DYNAMIC' as const, role: 'ops' }];
  const volume = (shared: boolean) =>
    scalar('disk', 100, { reservations: reserved, disk: { persistence: { id: 'v1' }, volume: { container_path: 'data', mode: 'RW' } }, shared });

  it('keeps copies of a shared volume as units: quantity is not summed, each copy is counted', () => {
    const two = Resources.of(volume(true), volume(true));
    expect(two.size).toBe(2);
    expect(two.disk()).toBe(200);
    expect(Resources.of(volume(true)).contains(two)).toBe(false);
    expect(two.contains(Resources.of(volume(true)))).toBe(true);
    expect(two.subtract(volume(true)).equals(Resources.of(volume(true)))).toBe(true);
  });

  it('counts identical exclusive volumes one by one in contains', () => {
    expect(Resources.of(volume(false)).contains(Resources.of(volume(false), volume(false)))).toBe(false);
  });

  it('never merges nor splits MOUNT disks, but does PATH disks', () => {
    const mount = (size: number) => scalar('disk', size, { disk: { source: { type: 'MOUNT', mount: { root: '/mnt/a' } } } });
    const path = (size: number) => scalar('disk', size, { disk: { source: { type: 'PATH', path: { root: '/mnt/b' } } } });
    expect(Resources.of(mount(10), mount(10)).size).toBe(2);
    expect(Resources.of(mount(10)).contains(mount(5))).toBe(false);
    expect(Resources.of(mount(10)).subtract(mount(5)).disk()).toBe(10);
    expect(Resources.of(path(10), path(10)).size).toBe(1);
    expect(Resources.of(path(10)).subtract(path(4)).disk()).toBe(6);
  });
});

describe('Resources bounds and checked subtraction', () => {
  it('rejects a sum that would overflow instead of rounding it', () => {
    const big = scalar('mem', MAX_SCALAR);
    expect(() => Resources.of(big).add(big)).toThrow(/Resource 'mem' overflows/);
  });

  it('answers a list whose entries add up past the largest scalar with an error, not a throw', () => {
    const entry = { name: 'cpus', type: 'SCALAR', scalar: { value: MAX_SCALAR } };
    expect(Resources.fromJson([entry, entry], '/resources')).toEqual({ ok: false, error: expect.stringMatching(/^\/resources: Resource 'cpus' overflows/) });
    expect(parseResources(`cpus:${MAX_SCALAR};cpus:${MAX_SCALAR}`)).toEqual({ ok: false, error: expect.stringMatching(/^Resource 'cpus' overflows/) });
  });

  it('rejects bad roles at construction', () => {
    expect(() => scalar('cpus', 1, { reservations: [{ type: 'STATIC', role: '*' }] })).toThrow("a reservation cannot be for role '*'");
    expect(() => scalar('cpus', 1, { reservations: [{ type: 'STATIC', role: 'a//b' }] })).toThrow('two adjacent slashes');
  });

  it('trySubtract names what is missing, and agrees with contains', () => {
    const have = orThrow(parseResources('cpus:2;mem:1024'));
    expect(have.trySubtract(orThrow(parseResources('cpus:3')))).toEqual({ ok: false, error: "Cannot subtract 'cpus:3' from 'cpus:2;mem:1024': it is not contained" });
    expect(orThrow(have.trySubtract(orThrow(parseResources('cpus:0.5')))).cpus()).toBe(1.5);
    fc.assert(
      fc.property(resourcesArb, resourcesArb, (a, b) => {
        const result = a.trySubtract(b);
        expect(result.ok).toBe(a.contains(b));
        if (result.ok) expect(result.value.equals(a.subtract(b))).toBe(true);
      }),
    );
  });

  it('sums any scalars exactly (fixed point): the decimal total equals the integer thousandths', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 50 }), (thousandths) => {
        let sum = Resources.EMPTY;
        for (const t of thousandths) sum = sum.add(scalar('cpus', t / 1000));
        const exact = thousandths.reduce((a, b) => a + b, 0);
        expect(sum.scalarFixed('cpus')).toBe(exact);
        expect(sum.cpus()).toBe(exact / 1000);
      }),
    );
  });
});

describe('role filters', () => {
  const r = orThrow(parseResources('cpus:1;cpus(ops):2;cpus(ops/web):4;cpus(opsx):8'));

  it('reserved(role) is that role exactly; reservedTo(role) is its subtree', () => {
    expect(r.reserved().cpus()).toBe(14);
    expect(r.reserved('ops').cpus()).toBe(2);
    expect(r.reservedTo('ops').cpus()).toBe(6);
    expect(r.reservedTo('ops/web').cpus()).toBe(4);
    expect(r.unreserved().cpus()).toBe(1);
  });

  it('keeps revocable and volumes apart on request', () => {
    const all = r.add(scalar('cpus', 3, { revocable: true }));
    expect(all.revocable().cpus()).toBe(3);
    expect(all.nonRevocable().cpus()).toBe(15);
    expect(all.persistentVolumes().isEmpty()).toBe(true);
  });
});
