import { MAX_SCALAR, toFixed } from './fixed-point.js';
import { normalizeRanges, type RangeBounds } from './ranges.js';
import { roleError } from './role.js';

/** Mesos `Resource.ReservationInfo.Type`. */
export type ReservationType = 'STATIC' | 'DYNAMIC';

export interface Label {
  readonly key: string;
  readonly value?: string;
}

/** One level of a reservation stack (Mesos reservation refinement: `reservations[]`, docs/reservation.md). */
export interface Reservation {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string;
  readonly labels?: readonly Label[];
}

/** Mesos `Resource.DiskInfo.Source`: where a disk resource lives on the agent. */
export interface DiskSource {
  readonly type: 'PATH' | 'MOUNT' | 'BLOCK' | 'RAW';
  readonly path?: { readonly root?: string };
  readonly mount?: { readonly root?: string };
  readonly id?: string;
  readonly profile?: string;
  readonly vendor?: string;
}

/** Mesos `Resource.DiskInfo`: persistent volumes (docs/persistent-volume.md) and disk sources. */
export interface DiskInfo {
  readonly persistence?: { readonly id: string; readonly principal?: string };
  readonly volume?: { readonly container_path: string; readonly mode: 'RW' | 'RO'; readonly host_path?: string };
  readonly source?: DiskSource;
}

interface ResourceBase {
  readonly name: string;
  /** Innermost reservation last; empty when unreserved (role `*`). */
  readonly reservations: readonly Reservation[];
  readonly disk: DiskInfo | undefined;
  readonly revocable: boolean;
  readonly shared: boolean;
  /** The role this resource is allocated to (Mesos `allocation_info.role`), when allocated. */
  readonly allocationRole: string | undefined;
  /**
   * Everything but the quantity, canonically encoded: resources with the same key are the
   * same kind of thing and add up, unless they are indivisible.
   */
  readonly key: string;
  /** `key` without the allocation role. */
  readonly baseKey: string;
  /**
   * Whether this resource is a unit that never merges with another nor splits (Mesos
   * `addable`/`subtractable`, src/v1/resources.cpp): shared resources, persistent volumes,
   * MOUNT and BLOCK disks, RAW disks with an id. A bag holds such units side by side, and
   * only an identical unit subtracts one.
   */
  readonly indivisible: boolean;
}

export interface ScalarResource extends ResourceBase {
  readonly type: 'SCALAR';
  /** Thousandths (see fixed-point.ts). */
  readonly fixed: number;
}

export interface RangesResource extends ResourceBase {
  readonly type: 'RANGES';
  readonly ranges: RangeBounds;
}

export interface SetResource extends ResourceBase {
  readonly type: 'SET';
  readonly items: readonly string[];
}

export type Resource = ScalarResource | RangesResource | SetResource;

export interface ResourceOptions {
  readonly reservations?: readonly Reservation[];
  readonly disk?: DiskInfo;
  readonly revocable?: boolean;
  readonly shared?: boolean;
  /** `undefined` given explicitly (to `withOptions`) clears the allocation. */
  readonly allocationRole?: string | undefined;
}

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Labels compare as a set in Mesos (`Labels` equality ignores order), so the key sorts them. */
function labelsKey(labels: readonly Label[]): string[] {
  return labels.map((l) => JSON.stringify([l.key, orNull(l.value)])).sort();
}

function diskKey(disk: DiskInfo): unknown[] {
  const { persistence: p, volume: v, source: s } = disk;
  return [
    p === undefined ? null : [p.id, orNull(p.principal)],
    v === undefined ? null : [v.container_path, v.mode, orNull(v.host_path)],
    s === undefined
      ? null
      : [s.type, s.path === undefined ? null : [orNull(s.path.root)], s.mount === undefined ? null : [orNull(s.mount.root)], orNull(s.id), orNull(s.profile), orNull(s.vendor)],
  ];
}

/**
 * The identity of a resource as a string. Built field by field in a fixed order, so two
 * equal descriptions give the same key whatever order their object properties were written in.
 */
/** Everything but the quantity and the allocation role, canonically encoded. */
function baseIdentity(name: string, type: string, options: ResourceOptions): string {
  const reservations = options.reservations ?? [];
  if (reservations.length === 0 && options.disk === undefined && options.revocable !== true && options.shared !== true) {
    return `${name}:${type}`;
  }
  return JSON.stringify([
    name,
    type,
    reservations.map((r) => [r.type, r.role, orNull(r.principal), r.labels === undefined ? null : labelsKey(r.labels)]),
    options.disk === undefined ? null : diskKey(options.disk),
    options.revocable === true,
    options.shared === true,
  ]);
}

/**
 * Keys with an allocation role, made once per (role, base key): the allocator allocates and
 * unallocates every offer, and a key built anew each time is a fresh string that every later
 * comparison must walk (and flatten) instead of matching by reference. Bounded: a cluster has
 * few roles and kinds of resource, but reservation labels and volume ids can be many.
 */
const roleKeys = new Map<string, Map<string, string>>();
let roleKeyCount = 0;
const ROLE_KEYS_MAX = 100_000;

/** The identity with the allocation role appended: (un)allocating never re-encodes the rest. */
function withRole(baseKey: string, allocationRole: string | undefined): string {
  if (allocationRole === undefined) return baseKey;
  let key = roleKeys.get(allocationRole)?.get(baseKey);
  if (key !== undefined) return key;
  if (roleKeyCount >= ROLE_KEYS_MAX) {
    roleKeys.clear();
    roleKeyCount = 0;
  }
  let byBase = roleKeys.get(allocationRole);
  if (byBase === undefined) roleKeys.set(allocationRole, (byBase = new Map<string, string>()));
  key = `${baseKey}@${allocationRole}`;
  byBase.set(baseKey, key);
  roleKeyCount++;
  return key;
}

function isIndivisible(options: ResourceOptions): boolean {
  if (options.shared === true) return true;
  const disk = options.disk;
  if (disk === undefined) return false;
  if (disk.persistence !== undefined) return true;
  const source = disk.source;
  return source !== undefined && (source.type === 'MOUNT' || source.type === 'BLOCK' || (source.type === 'RAW' && source.id !== undefined));
}

function checkOptions(name: string, options: ResourceOptions): void {
  if (name === '') throw new RangeError('Invalid resource: the name is empty');
  for (const r of options.reservations ?? []) {
    const why = r.role === '*' ? "a reservation cannot be for role '*'" : roleError(r.role);
    if (why !== undefined) throw new RangeError(`Invalid reservation for '${name}': ${why}`);
  }
  if (options.allocationRole !== undefined && options.allocationRole !== '*') {
    const why = roleError(options.allocationRole);
    if (why !== undefined) throw new RangeError(`Invalid allocation for '${name}': ${why}`);
  }
}

function base(name: string, type: string, options: ResourceOptions): ResourceBase {
  const baseKey = baseIdentity(name, type, options);
  return {
    name,
    reservations: options.reservations ?? [],
    disk: options.disk,
    revocable: options.revocable === true,
    shared: options.shared === true,
    allocationRole: options.allocationRole,
    key: withRole(baseKey, options.allocationRole),
    baseKey,
    indivisible: isIndivisible(options),
  };
}

// Every field written in one literal, in one order: each kind of resource then has one shape
// with all its fields in the object itself, which copies (`withFixed`, `withAllocation`, the
// allocator's hot path) clone in one allocation. A spread of `base(...)` left most fields in a
// separate backing store, twice the memory per copy.
function scalarFrom(b: ResourceBase, fixed: number, allocationRole: string | undefined, key: string): ScalarResource {
  return { name: b.name, reservations: b.reservations, disk: b.disk, revocable: b.revocable, shared: b.shared, allocationRole, key, baseKey: b.baseKey, indivisible: b.indivisible, type: 'SCALAR', fixed };
}

function rangesFrom(b: ResourceBase, bounds: RangeBounds, allocationRole: string | undefined, key: string): RangesResource {
  return { name: b.name, reservations: b.reservations, disk: b.disk, revocable: b.revocable, shared: b.shared, allocationRole, key, baseKey: b.baseKey, indivisible: b.indivisible, type: 'RANGES', ranges: bounds };
}

function setFrom(b: ResourceBase, items: readonly string[], allocationRole: string | undefined, key: string): SetResource {
  return { name: b.name, reservations: b.reservations, disk: b.disk, revocable: b.revocable, shared: b.shared, allocationRole, key, baseKey: b.baseKey, indivisible: b.indivisible, type: 'SET', items };
}

/** A scalar from its decimal value (rounded to three decimals); throws a RangeError on a bad quantity or role. */
export function scalar(name: string, value: number, options: ResourceOptions = {}): ScalarResource {
  checkOptions(name, options);
  const fixed = toFixed(value);
  if (fixed === undefined) throw new RangeError(`Invalid quantity ${value} for '${name}': must be a finite number from 0 to ${MAX_SCALAR}`);
  const b = base(name, 'SCALAR', options);
  return scalarFrom(b, fixed, b.allocationRole, b.key);
}

/** Ranges from inclusive [begin, end] pairs, sorted and merged; throws a RangeError on a bad range or role. */
export function ranges(name: string, pairs: readonly (readonly [number, number])[], options: ResourceOptions = {}): RangesResource {
  checkOptions(name, options);
  for (const [begin, end] of pairs) {
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || begin > end) {
      throw new RangeError(`Invalid range ${begin}-${end} for '${name}': bounds must be integers with 0 <= begin <= end`);
    }
  }
  const b = base(name, 'RANGES', options);
  return rangesFrom(b, normalizeRanges(pairs), b.allocationRole, b.key);
}

/** A set of distinct items (kept sorted); throws a RangeError on a bad role. */
export function set(name: string, items: readonly string[], options: ResourceOptions = {}): SetResource {
  checkOptions(name, options);
  const b = base(name, 'SET', options);
  return setFrom(b, [...new Set(items)].sort(), b.allocationRole, b.key);
}

/** The same resource with another quantity (same identity, no re-validation: the hot path). */
export function withFixed(r: ScalarResource, fixed: number): ScalarResource {
  return scalarFrom(r, fixed, r.allocationRole, r.key);
}

export function withRanges(r: RangesResource, bounds: RangeBounds): RangesResource {
  return rangesFrom(r, bounds, r.allocationRole, r.key);
}

export function withItems(r: SetResource, items: readonly string[]): SetResource {
  return setFrom(r, items, r.allocationRole, r.key);
}

/**
 * The same resource allocated to `role` (undefined: not allocated). The allocator's hot path:
 * the caller checks the role once (see `Resources.allocate`), and nothing else is re-encoded.
 */
export function withAllocation<R extends Resource>(r: R, role: string | undefined): R {
  if (r.allocationRole === role) return r;
  const key = withRole(r.baseKey, role);
  switch (r.type) {
    case 'SCALAR':
      return scalarFrom(r, r.fixed, role, key) as R;
    case 'RANGES':
      return rangesFrom(r, r.ranges, role, key) as R;
    case 'SET':
      return setFrom(r, r.items, role, key) as R;
  }
}

/** The same quantity with other metadata (reservations, allocation, ...). */
export function withOptions(r: Resource, options: ResourceOptions): Resource {
  const allocationRole = 'allocationRole' in options ? options.allocationRole : r.allocationRole;
  const disk = options.disk ?? r.disk;
  return rebuilt(r, {
    reservations: options.reservations ?? r.reservations,
    revocable: options.revocable ?? r.revocable,
    shared: options.shared ?? r.shared,
    ...(disk === undefined ? {} : { disk }),
    ...(allocationRole === undefined ? {} : { allocationRole }),
  });
}

/** The same quantity without its persistent-volume metadata (`persistence`, `volume`); a disk `source` stays. */
export function withoutVolume(r: Resource): Resource {
  if (r.disk === undefined || (r.disk.persistence === undefined && r.disk.volume === undefined)) return r;
  const source = r.disk.source;
  return rebuilt(r, {
    reservations: r.reservations,
    revocable: r.revocable,
    shared: r.shared,
    ...(source === undefined ? {} : { disk: { source } }),
    ...(r.allocationRole === undefined ? {} : { allocationRole: r.allocationRole }),
  });
}

/** `r`'s quantity under exactly `options` (checked, keys encoded again). */
function rebuilt(r: Resource, options: ResourceOptions): Resource {
  checkOptions(r.name, options);
  const b = base(r.name, r.type, options);
  switch (r.type) {
    case 'SCALAR':
      return scalarFrom(b, r.fixed, b.allocationRole, b.key);
    case 'RANGES':
      return rangesFrom(b, r.ranges, b.allocationRole, b.key);
    case 'SET':
      return setFrom(b, r.items, b.allocationRole, b.key);
  }
}

export function isEmptyResource(r: Resource): boolean {
  switch (r.type) {
    case 'SCALAR':
      return r.fixed <= 0;
    case 'RANGES':
      return r.ranges.length === 0;
    case 'SET':
      return r.items.length === 0;
  }
}

/** The role a resource is reserved to (`*` when unreserved): the innermost reservation's. */
export function reservedRole(r: Resource): string {
  return r.reservations.length === 0 ? '*' : r.reservations[r.reservations.length - 1]!.role;
}

export function isPersistentVolume(r: Resource): boolean {
  return r.disk?.persistence !== undefined;
}
