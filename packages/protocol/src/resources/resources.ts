import { err, ok, type Result } from '../result.js';
import { fromFixed } from './fixed-point.js';
import { containsRanges, rangesEqual, subtractRanges, unionRanges } from './ranges.js';
import {
  isEmptyResource,
  isPersistentVolume,
  type Reservation,
  type Resource,
  resourceFromJson,
  type ResourceJson,
  resourceToJson,
  reservedRole,
  withFixed,
  withItems,
  withAllocation,
  withOptions,
  withRanges,
} from './resource.js';

/** Whether two resources with the same key may merge into one (persistent volumes may not, unless shared). */
function mergeable(r: Resource): boolean {
  return r.shared || !isPersistentVolume(r);
}

function addInto(a: Resource, b: Resource): Resource {
  switch (a.type) {
    case 'SCALAR':
      return withFixed(a, a.fixed + (b as typeof a).fixed);
    case 'RANGES':
      return withRanges(a, unionRanges(a.ranges, (b as typeof a).ranges));
    case 'SET':
      return withItems(a, [...new Set([...a.items, ...(b as typeof a).items])].sort());
  }
}

/** `a - b` for one resource, never below empty. */
function subtractFrom(a: Resource, b: Resource): Resource {
  switch (a.type) {
    case 'SCALAR':
      return withFixed(a, Math.max(0, a.fixed - (b as typeof a).fixed));
    case 'RANGES':
      return withRanges(a, subtractRanges(a.ranges, (b as typeof a).ranges));
    case 'SET': {
      const drop = new Set((b as typeof a).items);
      return withItems(
        a,
        a.items.filter((item) => !drop.has(item)),
      );
    }
  }
}

function containsOne(a: Resource, b: Resource): boolean {
  switch (a.type) {
    case 'SCALAR':
      return a.fixed >= (b as typeof a).fixed;
    case 'RANGES':
      return containsRanges(a.ranges, (b as typeof a).ranges);
    case 'SET': {
      const have = new Set(a.items);
      return (b as typeof a).items.every((item) => have.has(item));
    }
  }
}

function sameQuantity(a: Resource, b: Resource): boolean {
  switch (a.type) {
    case 'SCALAR':
      return a.fixed === (b as typeof a).fixed;
    case 'RANGES':
      return rangesEqual(a.ranges, (b as typeof a).ranges);
    case 'SET':
      return a.items.length === (b as typeof a).items.length && a.items.every((item, i) => item === (b as typeof a).items[i]);
  }
}

/**
 * An immutable bag of resources with exact arithmetic, as Mesos's `Resources`. Resources
 * with the same identity (name, type, reservations, disk, revocable, shared, allocation)
 * are kept as one entry with the summed quantity; empty entries are dropped.
 *
 * Subtraction removes from `a` what it holds of `b` and never goes below empty: use
 * `contains` first where taking more than is there is an error. A persistent volume is
 * removed only by an identical one (it cannot be partly taken).
 */
export class Resources implements Iterable<Resource> {
  static readonly EMPTY = new Resources([]);

  private constructor(readonly items: readonly Resource[]) {}

  static of(...resources: readonly Resource[]): Resources {
    return Resources.EMPTY.plusAll(resources);
  }

  /** A Mesos v1 JSON array of `Resource`s. */
  static fromJson(value: unknown, path = ''): Result<Resources> {
    if (!Array.isArray(value)) return err(`${path === '' ? '/' : path}: expected an array of resources`);
    const parsed: Resource[] = [];
    for (const [i, entry] of value.entries()) {
      const r = resourceFromJson(entry, `${path}/${i}`);
      if (!r.ok) return r;
      parsed.push(r.value);
    }
    return ok(Resources.of(...parsed));
  }

  [Symbol.iterator](): Iterator<Resource> {
    return this.items[Symbol.iterator]();
  }

  get size(): number {
    return this.items.length;
  }

  isEmpty(): boolean {
    return this.items.length === 0;
  }

  plus(other: Resources | Resource): Resources {
    return this.plusAll(other instanceof Resources ? other.items : [other]);
  }

  minus(other: Resources | Resource): Resources {
    const take = other instanceof Resources ? other.items : [other];
    if (take.length === 0) return this;
    const items = this.items.slice();
    for (const b of take) {
      const at = items.findIndex((a) => a.key === b.key && (mergeable(a) || sameQuantity(a, b)));
      if (at < 0) continue;
      const a = items[at]!;
      const rest = mergeable(a) ? subtractFrom(a, b) : undefined;
      if (rest === undefined || isEmptyResource(rest)) items.splice(at, 1);
      else items[at] = rest;
    }
    return new Resources(items);
  }

  contains(other: Resources | Resource): boolean {
    const want = other instanceof Resources ? other.items : [other];
    for (const b of want) {
      let found = false;
      for (const a of this.items) {
        if (a.key === b.key && (mergeable(a) ? containsOne(a, b) : sameQuantity(a, b))) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  equals(other: Resources): boolean {
    return this.items.length === other.items.length && this.contains(other) && other.contains(this);
  }

  filter(keep: (r: Resource) => boolean): Resources {
    const items = this.items.filter(keep);
    return items.length === this.items.length ? this : new Resources(items);
  }

  /** Unreserved resources (role `*`). */
  unreserved(): Resources {
    return this.filter((r) => r.reservations.length === 0);
  }

  /** Reserved resources; with a role, those reserved to exactly that role. */
  reserved(role?: string): Resources {
    return this.filter((r) => r.reservations.length > 0 && (role === undefined || reservedRole(r) === role));
  }

  /** What a framework in `role` may be offered: unreserved, or reserved to `role` or an ancestor of it. */
  allocatableTo(role: string): Resources {
    return this.filter((r) => {
      const reserved = reservedRole(r);
      return reserved === '*' || reserved === role || role.startsWith(`${reserved}/`);
    });
  }

  revocable(): Resources {
    return this.filter((r) => r.revocable);
  }

  nonRevocable(): Resources {
    return this.filter((r) => !r.revocable);
  }

  persistentVolumes(): Resources {
    return this.filter(isPersistentVolume);
  }

  named(name: string): Resources {
    return this.filter((r) => r.name === name);
  }

  /** Every reservation dropped: the same quantities, unreserved (Mesos `flatten()`). */
  flatten(): Resources {
    return Resources.of(...this.items.map((r) => (r.reservations.length === 0 ? r : withOptions(r, { reservations: [] }))));
  }

  /** Adds a reservation level (a dynamic reservation or refinement) to every resource. */
  pushReservation(reservation: Reservation): Resources {
    return Resources.of(...this.items.map((r) => withOptions(r, { reservations: [...r.reservations, reservation] })));
  }

  /** Removes the innermost reservation level of every resource. */
  popReservation(): Resources {
    return Resources.of(...this.items.map((r) => withOptions(r, { reservations: r.reservations.slice(0, -1) })));
  }

  /** Marks every resource as allocated to `role` (Mesos `allocation_info`). */
  allocate(role: string): Resources {
    const first = this.items[0]?.allocationRole;
    if (this.items.every((r) => r.allocationRole === first)) {
      // One role in, one role out: identities stay distinct, so no re-merging is needed.
      return first === role ? this : new Resources(this.items.map((r) => withAllocation(r, role)));
    }
    return Resources.of(...this.items.map((r) => withAllocation(r, role)));
  }

  unallocate(): Resources {
    if (this.items.every((r) => r.allocationRole === undefined)) return this;
    const first = this.items[0]?.allocationRole;
    if (this.items.every((r) => r.allocationRole === first)) return new Resources(this.items.map((r) => withAllocation(r, undefined)));
    return Resources.of(...this.items.map((r) => withAllocation(r, undefined)));
  }

  /** The total of a scalar resource across reservations, as a decimal (`cpus()` -> 1.5). */
  scalar(name: string): number {
    let fixed = 0;
    for (const r of this.items) if (r.type === 'SCALAR' && r.name === name) fixed += r.fixed;
    return fromFixed(fixed);
  }

  cpus(): number {
    return this.scalar('cpus');
  }

  mem(): number {
    return this.scalar('mem');
  }

  disk(): number {
    return this.scalar('disk');
  }

  /** Every port range, merged across reservations, as [begin, end] pairs. */
  ports(): [number, number][] {
    let bounds: readonly number[] = [];
    for (const r of this.items) if (r.type === 'RANGES' && r.name === 'ports') bounds = unionRanges(bounds, r.ranges);
    const pairs: [number, number][] = [];
    for (let i = 0; i < bounds.length; i += 2) pairs.push([bounds[i]!, bounds[i + 1]!]);
    return pairs;
  }

  /** Names of the resources present. */
  names(): string[] {
    return [...new Set(this.items.map((r) => r.name))].sort();
  }

  toJson(): ResourceJson[] {
    return this.items.map(resourceToJson);
  }

  toJSON(): ResourceJson[] {
    return this.toJson();
  }

  private plusAll(add: readonly Resource[]): Resources {
    if (add.length === 0) return this;
    const items = this.items.slice();
    for (const b of add) {
      if (isEmptyResource(b)) continue;
      const at = mergeable(b) ? items.findIndex((a) => a.key === b.key) : -1;
      if (at < 0) items.push(b);
      else items[at] = addInto(items[at]!, b);
    }
    return new Resources(items);
  }
}
