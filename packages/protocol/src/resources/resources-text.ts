import { err, ok, type Result } from '../result.js';
import { MAX_SCALAR } from './fixed-point.js';
import { type Resource, type ResourceOptions, ranges, scalar, set } from './resource.js';
import { formatResource, isTextual } from './resource-text.js';
import { merged, Resources } from './resources.js';
import { roleError } from './role.js';

const PART = /^([^():\s]+)\s*(?:\(([^()]*)\))?\s*:\s*(.*)$/;
const NUMBER = /^\d+(\.\d*)?([eE][+-]?\d+)?$|^\.\d+([eE][+-]?\d+)?$/;

function parsePart(part: string, defaultRole: string): Result<Resource> {
  const bad = (why: string): Result<Resource> => err(`Invalid resource '${part}': ${why}`);
  const match = PART.exec(part);
  if (match === null) return bad("expected 'name:value' or 'name(role):value'");
  const [, name = '', roleText, valueText = ''] = match;
  const role = roleText === undefined ? defaultRole : roleText.trim();
  const why = roleError(role);
  if (why !== undefined) return bad(`'${role}' is not a valid role: ${why}`);
  const options: ResourceOptions = role === '*' ? {} : { reservations: [{ type: 'STATIC', role }] };
  const value = valueText.trim();
  if (value.startsWith('[')) {
    if (!value.endsWith(']')) return bad(`'${value}' is missing its closing ']'`);
    const pairs: [number, number][] = [];
    const inner = value.slice(1, -1).trim();
    for (const piece of inner === '' ? [] : inner.split(',')) {
      const bounds = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(piece);
      if (bounds === null) return bad(`'${piece.trim()}' is not a range 'begin-end'`);
      const begin = Number(bounds[1]);
      const end = Number(bounds[2]);
      if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end)) return bad(`'${piece.trim()}' is out of range`);
      if (begin > end) return bad(`range '${piece.trim()}' begins after it ends`);
      pairs.push([begin, end]);
    }
    return ok(ranges(name, pairs, options));
  }
  if (value.startsWith('{')) {
    if (!value.endsWith('}')) return bad(`'${value}' is missing its closing '}'`);
    const inner = value.slice(1, -1).trim();
    const items = inner === '' ? [] : inner.split(',').map((item) => item.trim());
    if (items.some((item) => item === '')) return bad('a set item is empty');
    return ok(set(name, items, options));
  }
  if (!NUMBER.test(value)) {
    return bad(value.startsWith('-') ? `'${value}' is negative` : `'${value}' is not a number`);
  }
  const quantity = Number(value);
  if (!Number.isFinite(quantity) || quantity > MAX_SCALAR) return bad(`'${value}' is too large (at most ${MAX_SCALAR})`);
  return ok(scalar(name, quantity, options));
}

/**
 * Parses the agent's `--resources` text (`cpus:4;mem:4096;ports:[31000-32000];cpus(ops):2;
 * disks:{a,b}`) or its JSON-array form (Mesos v1 `Resource`s). A role in parentheses is a
 * static reservation; `defaultRole` applies where none is given (Mesos `--default_role`).
 */
export function parseResources(text: string, defaultRole = '*'): Result<Resources> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      return err(`Invalid resources JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = Resources.fromJson(json);
    return parsed.ok ? parsed : err(`Invalid resources JSON at ${parsed.error}`);
  }
  const parts: Resource[] = [];
  for (const raw of trimmed.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const parsed = parsePart(part, defaultRole);
    if (!parsed.ok) return err(parsed.error);
    parts.push(parsed.value);
  }
  return merged(parts);
}

/**
 * Parses a `--resources` flag value, which may also be `file:///path` to a file holding
 * either form. The file is read through `readFile`, so this package stays free of I/O.
 */
export function parseResourcesFlag(value: string, readFile: (path: string) => string, defaultRole = '*'): Result<Resources> {
  if (!value.startsWith('file://')) return parseResources(value, defaultRole);
  const path = value.slice('file://'.length);
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return err(`Cannot read resources from '${path}': ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseResources(text, defaultRole);
}

/**
 * The `--resources` text for resources that have one (`cpus:4;mem:4096;ports:[31000-32000]`);
 * the JSON-array form for those that carry what the text cannot say (dynamic reservations,
 * volumes, revocable, ...). Either way `parseResources` reads it back to equal resources.
 */
export function formatResources(resources: Resources): string {
  if (!resources.items.every(isTextual)) return JSON.stringify(resources.toJson());
  return resources.items.map(formatResource).join(';');
}
