import { err, ok, type Result } from '../result.js';
import { fromFixed, MAX_SCALAR, toFixed } from './fixed-point.js';
import { normalizeRanges, type RangeBounds } from './ranges.js';

/** Mesos `Resource.ReservationInfo.Type`. */
export type ReservationType = 'STATIC' | 'DYNAMIC';

export interface Label {
  readonly key: string;
  readonly value?: string;
}

/** One level of a reservation stack (Mesos reservation refinement: `reservations[]`). */
export interface Reservation {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string;
  readonly labels?: readonly Label[];
}

/** Mesos `Resource.DiskInfo`, enough for persistent volumes. */
export interface DiskInfo {
  readonly persistence?: { readonly id: string; readonly principal?: string };
  readonly volume?: { readonly container_path: string; readonly mode: 'RW' | 'RO'; readonly host_path?: string };
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
   * Everything but the quantity: resources with the same key are the same kind of thing
   * and add up (except persistent volumes, which never merge unless shared).
   */
  readonly key: string;
  /** `key` without the allocation role, so (un)allocating never re-serializes the rest. */
  readonly baseKey: string;
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

/** Identity without the allocation role (which `allocationSuffix` appends). */
function baseIdentity(name: string, type: string, options: ResourceOptions): string {
  const reservations = options.reservations ?? [];
  if (reservations.length === 0 && options.disk === undefined && options.revocable !== true && options.shared !== true) {
    return `${name}:${type}`;
  }
  return `${name}:${type}:${JSON.stringify([reservations, options.disk ?? null, options.revocable === true, options.shared === true])}`;
}

function allocationSuffix(role: string | undefined): string {
  return role === undefined ? '' : `@${role}`;
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
    key: baseKey + allocationSuffix(options.allocationRole),
    baseKey,
  };
}

/** A scalar from its decimal value (rounded to three decimals); throws on a bad quantity. */
export function scalar(name: string, value: number, options: ResourceOptions = {}): ScalarResource {
  const fixed = toFixed(value);
  if (fixed === undefined) throw new RangeError(`Invalid quantity ${value} for '${name}': must be a finite number from 0 to ${MAX_SCALAR}`);
  return { ...base(name, 'SCALAR', options), type: 'SCALAR', fixed };
}

export function ranges(name: string, pairs: readonly (readonly [number, number])[], options: ResourceOptions = {}): RangesResource {
  for (const [begin, end] of pairs) {
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || begin > end) {
      throw new RangeError(`Invalid range ${begin}-${end} for '${name}'`);
    }
  }
  return { ...base(name, 'RANGES', options), type: 'RANGES', ranges: normalizeRanges(pairs) };
}

export function set(name: string, items: readonly string[], options: ResourceOptions = {}): SetResource {
  return { ...base(name, 'SET', options), type: 'SET', items: [...new Set(items)].sort() };
}

/** The same resource with another quantity (same identity, no re-validation). */
export function withFixed(r: ScalarResource, fixed: number): ScalarResource {
  return { ...r, fixed };
}

export function withRanges(r: RangesResource, bounds: RangeBounds): RangesResource {
  return { ...r, ranges: bounds };
}

export function withItems(r: SetResource, items: readonly string[]): SetResource {
  return { ...r, items };
}

/** The same resource allocated to `role` (or, with undefined, not allocated): the fast path of `withOptions`. */
export function withAllocation<R extends Resource>(r: R, role: string | undefined): R {
  if (r.allocationRole === role) return r;
  return { ...r, allocationRole: role, key: r.baseKey + allocationSuffix(role) };
}

/** The same quantity with other metadata (reservations, allocation, ...). */
export function withOptions(r: Resource, options: ResourceOptions): Resource {
  const merged: ResourceOptions = {
    reservations: options.reservations ?? r.reservations,
    ...(r.disk !== undefined || options.disk !== undefined ? { disk: options.disk ?? r.disk! } : {}),
    revocable: options.revocable ?? r.revocable,
    shared: options.shared ?? r.shared,
    ...('allocationRole' in options
      ? options.allocationRole === undefined
        ? {}
        : { allocationRole: options.allocationRole }
      : r.allocationRole === undefined
        ? {}
        : { allocationRole: r.allocationRole }),
  };
  const b = base(r.name, r.type, merged);
  switch (r.type) {
    case 'SCALAR':
      return { ...b, type: 'SCALAR', fixed: r.fixed };
    case 'RANGES':
      return { ...b, type: 'RANGES', ranges: r.ranges };
    case 'SET':
      return { ...b, type: 'SET', items: r.items };
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

// ---- Mesos v1 JSON ---------------------------------------------------------------------------

/** The Mesos v1 JSON shape of a `Resource`. */
export interface ResourceJson {
  readonly name: string;
  readonly type: 'SCALAR' | 'RANGES' | 'SET';
  readonly scalar?: { readonly value: number };
  readonly ranges?: { readonly range: readonly { readonly begin: number; readonly end: number }[] };
  readonly set?: { readonly item: readonly string[] };
  readonly reservations?: readonly ReservationJson[];
  readonly disk?: DiskInfo;
  readonly revocable?: Record<string, never>;
  readonly shared?: Record<string, never>;
  readonly allocation_info?: { readonly role: string };
}

export interface ReservationJson {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string;
  readonly labels?: { readonly labels: readonly Label[] };
}

export function resourceToJson(r: Resource): ResourceJson {
  const value =
    r.type === 'SCALAR'
      ? { scalar: { value: fromFixed(r.fixed) } }
      : r.type === 'RANGES'
        ? { ranges: { range: rangePairs(r.ranges).map(([begin, end]) => ({ begin, end })) } }
        : { set: { item: [...r.items] } };
  return {
    name: r.name,
    type: r.type,
    ...value,
    ...(r.reservations.length === 0
      ? {}
      : {
          reservations: r.reservations.map((v) => ({
            type: v.type,
            role: v.role,
            ...(v.principal === undefined ? {} : { principal: v.principal }),
            ...(v.labels === undefined ? {} : { labels: { labels: v.labels } }),
          })),
        }),
    ...(r.disk === undefined ? {} : { disk: r.disk }),
    ...(r.revocable ? { revocable: {} } : {}),
    ...(r.shared ? { shared: {} } : {}),
    ...(r.allocationRole === undefined ? {} : { allocation_info: { role: r.allocationRole } }),
  };
}

function rangePairs(bounds: RangeBounds): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < bounds.length; i += 2) pairs.push([bounds[i]!, bounds[i + 1]!]);
  return pairs;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseReservation(value: unknown, path: string): Result<Reservation> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const { type, role, principal, labels } = value;
  if (type !== 'STATIC' && type !== 'DYNAMIC') return err(`${path}/type: expected 'STATIC' or 'DYNAMIC', got ${JSON.stringify(type)}`);
  if (typeof role !== 'string' || !validRole(role) || role === '*') return err(`${path}/role: invalid role ${JSON.stringify(role)}`);
  if (principal !== undefined && typeof principal !== 'string') return err(`${path}/principal: expected a string`);
  let parsedLabels: Label[] | undefined;
  if (labels !== undefined) {
    const list = isObject(labels) ? labels['labels'] : undefined;
    if (!Array.isArray(list)) return err(`${path}/labels: expected {"labels": [...]}`);
    parsedLabels = [];
    for (const [i, label] of list.entries()) {
      if (!isObject(label) || typeof label['key'] !== 'string' || (label['value'] !== undefined && typeof label['value'] !== 'string')) {
        return err(`${path}/labels/labels/${i}: expected {"key": string, "value"?: string}`);
      }
      parsedLabels.push(label['value'] === undefined ? { key: label['key'] } : { key: label['key'], value: label['value'] });
    }
  }
  return ok({
    type,
    role,
    ...(principal === undefined ? {} : { principal }),
    ...(parsedLabels === undefined ? {} : { labels: parsedLabels }),
  });
}

function parseDisk(value: unknown, path: string): Result<DiskInfo> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const out: { -readonly [K in keyof DiskInfo]: DiskInfo[K] } = {};
  const { persistence, volume } = value;
  if (persistence !== undefined) {
    if (!isObject(persistence) || typeof persistence['id'] !== 'string' || persistence['id'] === '') {
      return err(`${path}/persistence/id: expected a non-empty string`);
    }
    const principal = persistence['principal'];
    if (principal !== undefined && typeof principal !== 'string') return err(`${path}/persistence/principal: expected a string`);
    out.persistence = principal === undefined ? { id: persistence['id'] } : { id: persistence['id'], principal };
  }
  if (volume !== undefined) {
    if (!isObject(volume) || typeof volume['container_path'] !== 'string') return err(`${path}/volume/container_path: expected a string`);
    const mode = volume['mode'] ?? 'RW';
    if (mode !== 'RW' && mode !== 'RO') return err(`${path}/volume/mode: expected 'RW' or 'RO'`);
    const hostPath = volume['host_path'];
    if (hostPath !== undefined && typeof hostPath !== 'string') return err(`${path}/volume/host_path: expected a string`);
    out.volume = { container_path: volume['container_path'], mode, ...(hostPath === undefined ? {} : { host_path: hostPath }) };
  }
  return ok(out);
}

/** Role names as Mesos allows them (docs/roles.md): path segments of safe characters. */
export function validRole(role: string): boolean {
  if (role === '*') return true;
  if (role === '' || role.startsWith('/') || role.endsWith('/')) return false;
  return role.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.startsWith('-') && /^[^\s/\\*]+$/.test(segment));
}

/**
 * A Mesos v1 JSON `Resource`, validated; `path` names where it sits for error messages.
 * Accepts both the refined `reservations` form and the older `role` + `reservation` form.
 */
export function resourceFromJson(value: unknown, path = ''): Result<Resource> {
  if (!isObject(value)) return err(`${path}: expected a resource object`);
  const { name, type } = value;
  if (typeof name !== 'string' || name === '') return err(`${path}/name: expected a non-empty string`);
  const reservations: Reservation[] = [];
  if (value['reservations'] !== undefined) {
    if (!Array.isArray(value['reservations'])) return err(`${path}/reservations: expected an array`);
    for (const [i, entry] of (value['reservations'] as unknown[]).entries()) {
      const parsed = parseReservation(entry, `${path}/reservations/${i}`);
      if (!parsed.ok) return parsed;
      reservations.push(parsed.value);
    }
  } else if (value['role'] !== undefined && value['role'] !== '*') {
    const role = value['role'];
    if (typeof role !== 'string' || !validRole(role)) return err(`${path}/role: invalid role ${JSON.stringify(role)}`);
    const legacy = value['reservation'];
    const principal = isObject(legacy) && typeof legacy['principal'] === 'string' ? legacy['principal'] : undefined;
    reservations.push({ type: legacy === undefined ? 'STATIC' : 'DYNAMIC', role, ...(principal === undefined ? {} : { principal }) });
  }
  const options: { reservations: Reservation[]; disk?: DiskInfo; revocable?: boolean; shared?: boolean; allocationRole?: string } = {
    reservations,
  };
  if (value['disk'] !== undefined) {
    const disk = parseDisk(value['disk'], `${path}/disk`);
    if (!disk.ok) return disk;
    options.disk = disk.value;
  }
  if (value['revocable'] !== undefined) options.revocable = true;
  if (value['shared'] !== undefined) options.shared = true;
  const allocation = value['allocation_info'];
  if (allocation !== undefined) {
    if (!isObject(allocation) || typeof allocation['role'] !== 'string') return err(`${path}/allocation_info/role: expected a string`);
    options.allocationRole = allocation['role'];
  }
  try {
    switch (type) {
      case 'SCALAR': {
        const s = value['scalar'];
        const v = isObject(s) ? s['value'] : undefined;
        if (typeof v !== 'number') return err(`${path}/scalar/value: expected a number`);
        if (toFixed(v) === undefined) return err(`${path}/scalar/value: ${v} is not a valid quantity (finite, 0 to ${MAX_SCALAR})`);
        return ok(scalar(name, v, options));
      }
      case 'RANGES': {
        const r = value['ranges'];
        const list = isObject(r) ? (r['range'] ?? []) : undefined;
        if (!Array.isArray(list)) return err(`${path}/ranges/range: expected an array`);
        const pairs: [number, number][] = [];
        for (const [i, entry] of list.entries()) {
          if (!isObject(entry) || typeof entry['begin'] !== 'number' || typeof entry['end'] !== 'number') {
            return err(`${path}/ranges/range/${i}: expected {"begin": number, "end": number}`);
          }
          pairs.push([entry['begin'], entry['end']]);
        }
        return ok(ranges(name, pairs, options));
      }
      case 'SET': {
        const s = value['set'];
        const items = isObject(s) ? (s['item'] ?? []) : undefined;
        if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) return err(`${path}/set/item: expected an array of strings`);
        return ok(set(name, items, options));
      }
      default:
        return err(`${path}/type: expected 'SCALAR', 'RANGES' or 'SET', got ${JSON.stringify(type)}`);
    }
  } catch (error) {
    return err(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
