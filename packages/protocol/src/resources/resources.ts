import { err, ok, type Result } from '../result.js';
import { fromFixed, MAX_FIXED } from './fixed-point.js';
import { containsRanges, rangesEqual, subtractRanges, unionRanges } from './ranges.js';
import { isEmptyResource, isPersistentVolume, type Reservation, type Resource, reservedRole, type ScalarResource, withAllocation, withFixed, withItems, withOptions, withoutVolume, withRanges } from './resource.js';
import { resourceFromJson, type ResourceJson, resourceToJson } from './resource-json.js';
import { formatResource } from './resource-text.js';
import { isRoleWithin, roleError } from './role.js';

/** `a + b` for two resources of the same key. */
function addInto(a: Resource, b: Resource): Resource {
  switch (a.type) {
    case 'SCALAR': {
      const fixed = a.fixed + (b as typeof a).fixed;
      if (fixed > MAX_FIXED) throw new RangeError(`Resource '${a.name}' overflows: ${fromFixed(a.fixed)} + ${fromFixed((b as typeof a).fixed)} is over ${fromFixed(MAX_FIXED)}`);
      return withFixed(a, fixed);
    }
    case 'RANGES':
      return withRanges(a, unionRanges(a.ranges, (b as typeof a).ranges));
    case 'SET':
      return withItems(a, [...new Set([...a.items, ...(b as typeof a).items])].sort());
  }
}

/** `a - b` for two resources of the same key, never below empty. */
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
    case 'SET': {
      const items = (b as typeof a).items;
      return a.items.length === items.length && a.items.every((item, i) => item === items[i]);
    }
  }
}

/** Where `b` can be taken from in `items`: the entry of its key, or for an indivisible unit an identical one. */
function indexOfMatch(items: readonly Resource[], b: Resource): number {
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    if (a.key === b.key && (!b.indivisible || sameQuantity(a, b))) return i;
  }
  return -1;
}

/**
 * The bag of `parsed`, or why there is none: resources of the same kind add up, and a sum past
 * the largest scalar is an error of the input, not an exception for its reader to catch.
 */
export function merged(parsed: readonly Resource[], path?: string): Result<Resources> {
  try {
    return ok(Resources.of(...parsed));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return err(path === undefined ? error.message : `${path === '' ? '/' : path}: ${error.message}`);
  }
}

/**
 * An immutable bag of resources with exact arithmetic, as Mesos's `Resources`
 * (src/v1/resources.cpp). Resources with the same identity (name, type, reservation stack,
 * disk info, revocable, shared, allocation role) are kept as one entry with the summed
 * quantity; indivisible units (shared resources, persistent volumes, MOUNT/BLOCK disks) sit
 * side by side; empty entries are dropped.
 *
 * `subtract` follows Mesos: it removes from `a` what `a` holds of `b` and never goes below
 * empty (what is not there is ignored); an indivisible unit is removed only by an identical
 * one. Where taking more than is there is a mistake, use `trySubtract`, or check `contains`.
 */
/** See `Resources.split`. */
export interface ScalarSplit {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number;
  readonly rest: readonly Resource[];
}

/** `Resources.split` of any resources. */
export function splitScalars(resources: Iterable<Resource>): ScalarSplit {
  const split = { cpus: 0, mem: 0, disk: 0, gpus: 0, rest: [] as Resource[] };
  for (const r of resources) {
    if (r.type === 'SCALAR' && (r.name === 'cpus' || r.name === 'mem' || r.name === 'disk' || r.name === 'gpus')) split[r.name] += r.fixed;
    else split.rest.push(r);
  }
  return split;
}

export class Resources implements Iterable<Resource> {
  static readonly EMPTY = new Resources([]);

  /**
   * For a bag made by `allocate(role)` from a bag with no allocation role: that bag, which is
   * what `unallocate()` gives back (a memo: the allocator unallocates every offer it gets back).
   */
  #plain: Resources | undefined = undefined;

  /** Memo of `split()` (bags never change). */
  #split: ScalarSplit | undefined = undefined;

  private constructor(readonly items: readonly Resource[]) {}

  /**
   * The bag as sums over many bags want it: its `cpus`, `mem`, `disk` and `gpus` (whatever
   * their reservations) added up in thousandths, and every other resource. Made once per bag.
   */
  split(): ScalarSplit {
    return (this.#split ??= splitScalars(this.items));
  }

  static of(...resources: readonly Resource[]): Resources {
    return Resources.EMPTY.addAll(resources);
  }

  /**
   * The sum of many bags, as `add` would give, without building a bag per addition: divisible
   * scalars are summed by identity first (for totals over every task of a cluster).
   */
  static sum(bags: Iterable<Iterable<Resource>>): Resources {
    const scalars = new Map<string, { r: ScalarResource; fixed: number }>();
    const rest: Resource[] = [];
    for (const bag of bags) {
      for (const r of bag) {
        if (r.type !== 'SCALAR' || r.indivisible) {
          rest.push(r);
          continue;
        }
        const entry = scalars.get(r.key);
        if (entry === undefined) scalars.set(r.key, { r, fixed: r.fixed });
        else entry.fixed += r.fixed;
      }
    }
    const items: Resource[] = [];
    for (const { r, fixed } of scalars.values()) {
      if (fixed > MAX_FIXED) throw new RangeError(`The sum of '${r.name}' exceeds ${MAX_FIXED / 1000}`);
      items.push(fixed === r.fixed ? r : withFixed(r, fixed));
    }
    return Resources.EMPTY.addAll([...items, ...rest]);
  }

  /** A Mesos v1 JSON array of `Resource`s, validated; errors name the failing path (`/2/scalar/value: ...`). */
  static fromJson(value: unknown, path = ''): Result<Resources> {
    if (!Array.isArray(value)) return err(`${path === '' ? '/' : path}: expected an array of resources`);
    const parsed: Resource[] = [];
    for (const [i, entry] of value.entries()) {
      const r = resourceFromJson(entry, `${path}/${i}`);
      if (!r.ok) return r;
      parsed.push(r.value);
    }
    return merged(parsed, path);
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

  /** `this + other`. Throws a RangeError if a scalar sum would pass `MAX_SCALAR` (never rounds). */
  add(other: Resources | Resource): Resources {
    if (other instanceof Resources) {
      // Both already merged: adding to nothing (or nothing) needs no work.
      if (this.items.length === 0) return other;
      return this.addAll(other.items);
    }
    return this.addAll([other]);
  }

  /** `this - other` with Mesos semantics: see the class comment. */
  subtract(other: Resources | Resource): Resources {
    // All of it (an offer of everything free, taken back): nothing is left.
    if (other === this) return Resources.EMPTY;
    const take = other instanceof Resources ? other.items : [other];
    if (take.length === 0 || this.items.length === 0) return this;
    const items = this.items.slice();
    for (const b of take) {
      const at = indexOfMatch(items, b);
      if (at < 0) continue;
      const a = items[at]!;
      const rest = a.indivisible ? undefined : subtractFrom(a, b);
      if (rest === undefined || isEmptyResource(rest)) items.splice(at, 1);
      else items[at] = rest;
    }
    return new Resources(items);
  }

  /** `this - other` when `this` contains `other`; otherwise an error naming the first resource that is not there. */
  trySubtract(other: Resources | Resource): Result<Resources> {
    const take = other instanceof Resources ? other : Resources.of(other);
    const missing = this.missingFrom(take);
    if (missing !== undefined) return err(`Cannot subtract '${formatResource(missing)}' from '${this.toString()}': it is not contained`);
    return ok(this.subtract(take));
  }

  /** Whether every resource of `other` is in `this` (indivisible units counted one by one). */
  contains(other: Resources | Resource): boolean {
    return this.missingFrom(other instanceof Resources ? other : Resources.of(other)) === undefined;
  }

  equals(other: Resources): boolean {
    return this.items.length === other.items.length && this.contains(other) && other.contains(this);
  }

  filter(keep: (r: Resource) => boolean): Resources {
    // Usually everything is kept: find the first to drop before building anything.
    const all = this.items;
    let i = 0;
    while (i < all.length && keep(all[i]!)) i++;
    if (i === all.length) return this;
    const items = all.slice(0, i);
    for (i++; i < all.length; i++) if (keep(all[i]!)) items.push(all[i]!);
    return new Resources(items);
  }

  /** Unreserved resources (role `*`). */
  unreserved(): Resources {
    return this.filter((r) => r.reservations.length === 0);
  }

  /** Reserved resources; with a role, those whose innermost reservation is for exactly that role (Mesos `reserved(role)`). */
  reserved(role?: string): Resources {
    return this.filter((r) => r.reservations.length > 0 && (role === undefined || reservedRole(r) === role));
  }

  /**
   * Resources reserved to `role` or to a role below it (`a/b` for `a`): what a role's subtree
   * holds in reservations, as hierarchical quota accounting counts it (docs/quota.md).
   */
  reservedTo(role: string): Resources {
    return this.filter((r) => r.reservations.length > 0 && isRoleWithin(reservedRole(r), role));
  }

  /**
   * What a framework in `role` may be offered: unreserved resources, or reserved to `role`
   * or to an ancestor of it (a reservation for `a` is allocatable to `a/b`; docs/roles.md).
   */
  allocatableTo(role: string): Resources {
    return this.filter((r) => r.reservations.length === 0 || isRoleWithin(role, reservedRole(r)));
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

  /** The resources of one name (`named('cpus')`). */
  named(name: string): Resources {
    return this.filter((r) => r.name === name);
  }

  /** Every reservation dropped: the same quantities, unreserved (Mesos `toUnreserved()`/`flatten()`). */
  flatten(): Resources {
    return Resources.of(...this.items.map((r) => (r.reservations.length === 0 ? r : withOptions(r, { reservations: [] }))));
  }

  /** Adds a reservation level (a dynamic reservation or a refinement) to every resource. */
  pushReservation(reservation: Reservation): Resources {
    return Resources.of(...this.items.map((r) => withOptions(r, { reservations: [...r.reservations, reservation] })));
  }

  /** The persistent volumes as the plain (reserved) disk they were created from (`CREATE`'s inverse). */
  withoutVolumes(): Resources {
    return Resources.of(...this.items.map(withoutVolume));
  }

  /** Removes the innermost reservation level of every resource (unreserved ones stay as they are). */
  popReservation(): Resources {
    return Resources.of(...this.items.map((r) => (r.reservations.length === 0 ? r : withOptions(r, { reservations: r.reservations.slice(0, -1) }))));
  }

  /** Marks every resource as allocated to `role` (Mesos `allocate(role)`, `allocation_info`). */
  allocate(role: string): Resources {
    if (role !== '*') {
      const why = roleError(role);
      if (why !== undefined) throw new RangeError(`Invalid allocation role: ${why}`);
    }
    return this.reallocate(role);
  }

  /** Clears the allocation of every resource. */
  unallocate(): Resources {
    return this.#plain ?? this.reallocate(undefined);
  }

  private reallocate(role: string | undefined): Resources {
    const first = this.items[0]?.allocationRole;
    if (this.items.every((r) => r.allocationRole === first)) {
      // One role in, one role out: identities stay distinct, so nothing needs merging.
      if (first === role) return this;
      const out = new Resources(this.items.map((r) => withAllocation(r, role)));
      if (first === undefined) out.#plain = this;
      return out;
    }
    return Resources.of(...this.items.map((r) => withAllocation(r, role)));
  }

  /** The total of a scalar resource across reservations, in thousandths (exact). */
  scalarFixed(name: string): number {
    let fixed = 0;
    for (const r of this.items) if (r.type === 'SCALAR' && r.name === name) fixed += r.fixed;
    return fixed;
  }

  /** The total of a scalar resource across reservations, as a decimal (`cpus()` -> 1.5). */
  scalar(name: string): number {
    return fromFixed(this.scalarFixed(name));
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

  /** Names of the resources present, sorted. */
  names(): string[] {
    return [...new Set(this.items.map((r) => r.name))].sort();
  }

  /** The Mesos v1 JSON array. */
  toJson(): ResourceJson[] {
    return this.items.map(resourceToJson);
  }

  /** So that `JSON.stringify` writes the Mesos v1 JSON array. */
  toJSON(): ResourceJson[] {
    return this.toJson();
  }

  /** A short description for messages and logs, in the `--resources` text form (see `formatResources` for the exact one). */
  toString(): string {
    return this.items.length === 0 ? '{}' : this.items.map(formatResource).join(';');
  }

  /** Mesos's spelling (`operator+`), kept for callers written against it: same as `add`. */
  plus(other: Resources | Resource): Resources {
    return this.add(other);
  }

  /** Mesos's spelling (`operator-`), kept for callers written against it: same as `subtract`. */
  minus(other: Resources | Resource): Resources {
    return this.subtract(other);
  }

  /** The first resource of `want` that `this` does not hold, if any. */
  private missingFrom(want: Resources): Resource | undefined {
    if (want === this) return undefined;
    let remaining = this.items;
    for (const b of want.items) {
      const at = indexOfMatch(remaining, b);
      if (at < 0) return b;
      if (b.indivisible) {
        // Each unit is counted once: take it, so that a second identical one must be there too.
        remaining = remaining.filter((_, i) => i !== at);
      } else if (!containsOne(remaining[at]!, b)) {
        return b;
      }
    }
    return undefined;
  }

  private addAll(add: readonly Resource[]): Resources {
    if (add.length === 0) return this;
    const items = this.items.slice();
    for (const b of add) {
      if (isEmptyResource(b)) continue;
      const at = b.indivisible ? -1 : indexOfMatch(items, b);
      if (at < 0) items.push(b);
      else items[at] = addInto(items[at]!, b);
    }
    return new Resources(items);
  }
}
