import { describe, expect, it } from 'vitest';
import { orThrow } from '../result.js';
import { resourceFromJson, resourceToJson } from './resource-json.js';
import { Resources } from './resources.js';

describe('Mesos v1 JSON resources', () => {
  it('round-trips every field: reservations, labels, disk info with source, revocable, shared, allocation', () => {
    const json = {
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: 1024.5 },
      reservations: [
        { type: 'STATIC', role: 'ops' },
        { type: 'DYNAMIC', role: 'ops/db', principal: 'alice', labels: { labels: [{ key: 'team', value: 'db' }] } },
      ],
      disk: {
        persistence: { id: 'vol-1', principal: 'alice' },
        volume: { container_path: 'data', mode: 'RW' },
        source: { type: 'MOUNT', mount: { root: '/mnt/disk1' } },
      },
      shared: {},
      allocation_info: { role: 'ops/db' },
    };
    expect(resourceToJson(orThrow(resourceFromJson(json)))).toEqual(json);
    const revocable = { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 }, revocable: {} };
    expect(resourceToJson(orThrow(resourceFromJson(revocable)))).toEqual(revocable);
  });

  it('reads the pre-refinement role + reservation form', () => {
    const r = orThrow(resourceFromJson({ name: 'mem', type: 'SCALAR', scalar: { value: 1 }, role: 'ops', reservation: { principal: 'p' } }));
    expect(r.reservations).toEqual([{ type: 'DYNAMIC', role: 'ops', principal: 'p' }]);
    const unreserved = orThrow(resourceFromJson({ name: 'mem', type: 'SCALAR', scalar: { value: 1 }, role: '*' }));
    expect(unreserved.reservations).toEqual([]);
    // Beside a single reservation of the same role, and a refinement of it.
    const both = orThrow(resourceFromJson({ name: 'mem', type: 'SCALAR', scalar: { value: 1 }, role: 'ops', reservations: [{ type: 'DYNAMIC', role: 'ops' }] }));
    expect(both.reservations).toEqual([{ type: 'DYNAMIC', role: 'ops' }]);
    const refined = orThrow(resourceFromJson({ name: 'mem', type: 'SCALAR', scalar: { value: 0.001 }, reservations: [{ type: 'STATIC', role: 'ops' }, { type: 'DYNAMIC', role: 'ops/web' }] }));
    expect(refined.reservations.map((r) => r.role)).toEqual(['ops', 'ops/web']);
    expect(orThrow(resourceFromJson({ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }, { begin: 3, end: 4 }] } })).type).toBe('RANGES');
  });

  it.each([
    [[{ type: 'SCALAR', scalar: { value: 1 } }], '/0/name: expected a non-empty string'],
    [[{ name: 'cpus', type: 'SCALAR', scalar: { value: Number.NaN } }], '/0/scalar/value: NaN is not a valid quantity'],
    [[{ name: 'cpus', type: 'SCALAR', scalar: { value: 1e300 } }], '/0/scalar/value: 1e+300 is not a valid quantity'],
    [[{ name: 'cpus', type: 'SCALAR', scalar: { value: '1' } }], '/0/scalar/value: expected a number'],
    [[{ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 5, end: 1 }] } }], '/0/ranges/range/0: expected {"begin": integer, "end": integer} with 0 <= begin <= end, got {"begin":5,"end":1}'],
    [[{ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 1.5, end: 2 }] } }], '/0/ranges/range/0: expected'],
    [[{ name: 's', type: 'SET', set: { item: [1] } }], '/0/set/item: expected an array of strings'],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: '*' }] }], "/0/reservations/0/role: a reservation cannot be for role '*'"],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'SOMETIMES', role: 'a' }] }], '/0/reservations/0/type: expected'],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'STATIC', role: 'a', principal: 7 }] }], '/0/reservations/0/principal: expected a string, got 7'],
    [[{ name: 'd', type: 'SCALAR', scalar: { value: 1 }, disk: { volume: { container_path: 'x', mode: 'RX' } } }], `/0/disk/volume/mode: expected 'RW' or 'RO', got "RX"`],
    [[{ name: 'd', type: 'SCALAR', scalar: { value: 1 }, disk: { persistence: { id: '' } } }], '/0/disk/persistence/id: expected a non-empty string'],
    [[{ name: 'd', type: 'SCALAR', scalar: { value: 1 }, disk: { source: { type: 'FLOPPY' } } }], "/0/disk/source/type: expected 'PATH', 'MOUNT', 'BLOCK' or 'RAW'"],
    [{ name: 'cpus' }, '/: expected an array of resources'],
    // What Mesos's Resources::validate refuses besides:
    [[{ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31005 }, { begin: 31003, end: 31008 }] } }], '/0/ranges: Invalid ranges resource: overlapping ranges [31000-31005] and [31003-31008]'],
    [[{ name: 's', type: 'SET', set: { item: ['a', 'b', 'a'] } }], '/0/set/item: Invalid set resource: duplicated elements'],
    [[{ name: 'cpus', type: 'SCALAR', scalar: { value: 1e-7 } }], '/0/scalar/value: Invalid scalar resource: 1e-7 is 0 in thousandths'],
    [[{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, ranges: { range: [] } }], '/0: Invalid scalar resource'],
    [[{ name: 'p', type: 'RANGES', ranges: { range: [] }, set: { item: [] } }], '/0: Invalid ranges resource'],
    [[{ name: 's', type: 'SET', set: { item: [] }, scalar: { value: 1 } }], '/0: Invalid set resource'],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'a' }, { type: 'DYNAMIC', role: 'b' }] }], "/0/reservations/1: Invalid refined reservation: role 'b' is not a refinement of 'a'"],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'a' }, { type: 'DYNAMIC', role: 'a' }] }], "role 'a' is not a refinement of 'a'"],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'STATIC', role: 'a' }, { type: 'STATIC', role: 'a/b' }] }], 'a refined reservation cannot be STATIC'],
    [[{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, role: 'b', reservations: [{ type: 'DYNAMIC', role: 'a' }] }], `/0/role: Invalid resource format: 'Resource.role' "b" does not match the role 'a'`],
  ])('rejects %j naming the path', (json, message) => {
    const parsed = Resources.fromJson(json);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });
});
