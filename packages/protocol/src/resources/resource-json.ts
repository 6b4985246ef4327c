import { err, ok, type Result } from '../result.js';
import { fromFixed, MAX_SCALAR, toFixed } from './fixed-point.js';
import type { RangeBounds } from './ranges.js';
import { type DiskInfo, type DiskSource, type Label, ranges, type Reservation, type ReservationType, type Resource, type ResourceOptions, scalar, set } from './resource.js';
import { isRoleWithin, roleError } from './role.js';

/** The Mesos v1 JSON shape of a `Resource` (include/mesos/v1/mesos.proto). */
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

function rangesJson(bounds: RangeBounds): { begin: number; end: number }[] {
  const out: { begin: number; end: number }[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push({ begin: bounds[i]!, end: bounds[i + 1]! });
  return out;
}

export function resourceToJson(r: Resource): ResourceJson {
  const value =
    r.type === 'SCALAR' ? { scalar: { value: fromFixed(r.fixed) } } : r.type === 'RANGES' ? { ranges: { range: rangesJson(r.ranges) } } : { set: { item: [...r.items] } };
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

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: Json, field: string, path: string): Result<string | undefined> {
  const v = value[field];
  return v === undefined || typeof v === 'string' ? ok(v) : err(`${path}/${field}: expected a string, got ${JSON.stringify(v)}`);
}

function parseLabels(value: unknown, path: string): Result<Label[]> {
  const list = isObject(value) ? value['labels'] : undefined;
  if (!Array.isArray(list)) return err(`${path}: expected {"labels": [...]}`);
  const labels: Label[] = [];
  for (const [i, label] of list.entries()) {
    if (!isObject(label) || typeof label['key'] !== 'string' || (label['value'] !== undefined && typeof label['value'] !== 'string')) {
      return err(`${path}/labels/${i}: expected {"key": string, "value"?: string}`);
    }
    labels.push(label['value'] === undefined ? { key: label['key'] } : { key: label['key'], value: label['value'] });
  }
  return ok(labels);
}

function parseReservation(value: unknown, path: string): Result<Reservation> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const { type, role } = value;
  if (type !== 'STATIC' && type !== 'DYNAMIC') return err(`${path}/type: expected 'STATIC' or 'DYNAMIC', got ${JSON.stringify(type)}`);
  if (typeof role !== 'string') return err(`${path}/role: expected a string, got ${JSON.stringify(role)}`);
  const why = role === '*' ? "a reservation cannot be for role '*'" : roleError(role);
  if (why !== undefined) return err(`${path}/role: ${why}`);
  const principal = optionalString(value, 'principal', path);
  if (!principal.ok) return principal;
  let labels: Label[] | undefined;
  if (value['labels'] !== undefined) {
    const parsed = parseLabels(value['labels'], `${path}/labels`);
    if (!parsed.ok) return parsed;
    labels = parsed.value;
  }
  return ok({ type, role, ...(principal.value === undefined ? {} : { principal: principal.value }), ...(labels === undefined ? {} : { labels }) });
}

function parseRoot(value: unknown, path: string): Result<{ root?: string }> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const root = optionalString(value, 'root', path);
  if (!root.ok) return root;
  return ok(root.value === undefined ? {} : { root: root.value });
}

function parseSource(value: unknown, path: string): Result<DiskSource> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const type = value['type'];
  if (type !== 'PATH' && type !== 'MOUNT' && type !== 'BLOCK' && type !== 'RAW') {
    return err(`${path}/type: expected 'PATH', 'MOUNT', 'BLOCK' or 'RAW', got ${JSON.stringify(type)}`);
  }
  const out: { -readonly [K in keyof DiskSource]: DiskSource[K] } = { type };
  for (const field of ['path', 'mount'] as const) {
    if (value[field] === undefined) continue;
    const root = parseRoot(value[field], `${path}/${field}`);
    if (!root.ok) return root;
    out[field] = root.value;
  }
  for (const field of ['id', 'profile', 'vendor'] as const) {
    const v = optionalString(value, field, path);
    if (!v.ok) return v;
    if (v.value !== undefined) out[field] = v.value;
  }
  return ok(out);
}

function parseDisk(value: unknown, path: string): Result<DiskInfo> {
  if (!isObject(value)) return err(`${path}: expected an object`);
  const out: { -readonly [K in keyof DiskInfo]: DiskInfo[K] } = {};
  const { persistence, volume, source } = value;
  if (persistence !== undefined) {
    if (!isObject(persistence) || typeof persistence['id'] !== 'string' || persistence['id'] === '') {
      return err(`${path}/persistence/id: expected a non-empty string`);
    }
    const principal = optionalString(persistence, 'principal', `${path}/persistence`);
    if (!principal.ok) return principal;
    out.persistence = principal.value === undefined ? { id: persistence['id'] } : { id: persistence['id'], principal: principal.value };
  }
  if (volume !== undefined) {
    if (!isObject(volume) || typeof volume['container_path'] !== 'string') return err(`${path}/volume/container_path: expected a string`);
    const mode = volume['mode'];
    if (mode !== 'RW' && mode !== 'RO') return err(`${path}/volume/mode: expected 'RW' or 'RO', got ${JSON.stringify(mode)}`);
    const hostPath = optionalString(volume, 'host_path', `${path}/volume`);
    if (!hostPath.ok) return hostPath;
    out.volume = { container_path: volume['container_path'], mode, ...(hostPath.value === undefined ? {} : { host_path: hostPath.value }) };
  }
  if (source !== undefined) {
    const parsed = parseSource(source, `${path}/source`);
    if (!parsed.ok) return parsed;
    out.source = parsed.value;
  }
  return ok(out);
}

/** The reservation stack: the refined `reservations` form, or the pre-1.4 `role` + `reservation` form. */
function parseReservations(value: Json, path: string): Result<Reservation[]> {
  const reservations: Reservation[] = [];
  if (value['reservations'] !== undefined) {
    if (!Array.isArray(value['reservations'])) return err(`${path}/reservations: expected an array`);
    for (const [i, entry] of (value['reservations'] as unknown[]).entries()) {
      const parsed = parseReservation(entry, `${path}/reservations/${i}`);
      if (!parsed.ok) return parsed;
      // Each reservation refines the one before it (Mesos's Resources::validate).
      const ancestor = reservations.at(-1);
      if (ancestor !== undefined) {
        if (parsed.value.type === 'STATIC') return err(`${path}/reservations/${i}: Invalid refined reservation: a refined reservation cannot be STATIC`);
        if (parsed.value.role === ancestor.role || !isRoleWithin(parsed.value.role, ancestor.role)) {
          return err(`${path}/reservations/${i}: Invalid refined reservation: role '${parsed.value.role}' is not a refinement of '${ancestor.role}'`);
        }
      }
      reservations.push(parsed.value);
    }
    // The pre-refinement `role` may stand beside a single reservation, if it names the same role.
    const legacy = value['role'];
    if (legacy !== undefined && reservations.length === 1 && legacy !== reservations[0]!.role) {
      return err(`${path}/role: Invalid resource format: 'Resource.role' ${JSON.stringify(legacy)} does not match the role '${reservations[0]!.role}' in 'Resource.reservations'`);
    }
  } else if (value['role'] !== undefined && value['role'] !== '*') {
    const role = value['role'];
    if (typeof role !== 'string') return err(`${path}/role: expected a string, got ${JSON.stringify(role)}`);
    const why = roleError(role);
    if (why !== undefined) return err(`${path}/role: ${why}`);
    const legacy = value['reservation'];
    const principal = isObject(legacy) && typeof legacy['principal'] === 'string' ? legacy['principal'] : undefined;
    reservations.push({ type: legacy === undefined ? 'STATIC' : 'DYNAMIC', role, ...(principal === undefined ? {} : { principal }) });
  }
  return ok(reservations);
}

function parseOptions(value: Json, path: string): Result<ResourceOptions> {
  const reservations = parseReservations(value, path);
  if (!reservations.ok) return reservations;
  const options: { -readonly [K in keyof ResourceOptions]: ResourceOptions[K] } = { reservations: reservations.value };
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
    const why = roleError(allocation['role']);
    if (why !== undefined) return err(`${path}/allocation_info/role: ${why}`);
    options.allocationRole = allocation['role'];
  }
  return ok(options);
}

function parseQuantity(name: string, type: unknown, value: Json, options: ResourceOptions, path: string): Result<Resource> {
  switch (type) {
    case 'SCALAR': {
      if (value['ranges'] !== undefined || value['set'] !== undefined) return err(`${path}: Invalid scalar resource: a SCALAR has no 'ranges' or 'set'`);
      const s = value['scalar'];
      const v = isObject(s) ? s['value'] : undefined;
      if (typeof v !== 'number') return err(`${path}/scalar/value: expected a number`);
      const fixed = toFixed(v);
      if (fixed === undefined) return err(`${path}/scalar/value: ${v} is not a valid quantity (finite, 0 to ${MAX_SCALAR})`);
      // Quantities are kept in thousandths, as Mesos keeps them: one that would be kept as 0 is refused.
      if (fixed === 0 && v !== 0) return err(`${path}/scalar/value: Invalid scalar resource: ${v} is 0 in thousandths`);
      return ok(scalar(name, v, options));
    }
    case 'RANGES': {
      if (value['scalar'] !== undefined || value['set'] !== undefined) return err(`${path}: Invalid ranges resource: RANGES have no 'scalar' or 'set'`);
      const r = value['ranges'];
      const list = isObject(r) ? (r['range'] ?? []) : undefined;
      if (!Array.isArray(list)) return err(`${path}/ranges/range: expected an array`);
      const pairs: [number, number][] = [];
      for (const [i, entry] of list.entries()) {
        const begin: unknown = isObject(entry) ? entry['begin'] : undefined;
        const end: unknown = isObject(entry) ? entry['end'] : undefined;
        if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || begin > end) {
          return err(`${path}/ranges/range/${i}: expected {"begin": integer, "end": integer} with 0 <= begin <= end, got ${JSON.stringify(entry)}`);
        }
        pairs.push([begin, end]);
      }
      const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i]![0] <= sorted[i - 1]![1]) return err(`${path}/ranges: Invalid ranges resource: overlapping ranges [${sorted[i - 1]!.join('-')}] and [${sorted[i]!.join('-')}]`);
      }
      return ok(ranges(name, pairs, options));
    }
    case 'SET': {
      if (value['scalar'] !== undefined || value['ranges'] !== undefined) return err(`${path}: Invalid set resource: a SET has no 'scalar' or 'ranges'`);
      const s = value['set'];
      const items = isObject(s) ? (s['item'] ?? []) : undefined;
      if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) return err(`${path}/set/item: expected an array of strings`);
      if (new Set(items).size !== items.length) return err(`${path}/set/item: Invalid set resource: duplicated elements`);
      return ok(set(name, items, options));
    }
    default:
      return err(`${path}/type: expected 'SCALAR', 'RANGES' or 'SET', got ${JSON.stringify(type)}`);
  }
}

/** A Mesos v1 JSON `Resource`, validated; `path` names where it sits, for error messages. */
export function resourceFromJson(value: unknown, path = ''): Result<Resource> {
  if (!isObject(value)) return err(`${path === '' ? '/' : path}: expected a resource object`);
  const name = value['name'];
  if (typeof name !== 'string' || name === '') return err(`${path}/name: expected a non-empty string`);
  const options = parseOptions(value, path);
  if (!options.ok) return options;
  return parseQuantity(name, value['type'], value, options.value, path);
}
