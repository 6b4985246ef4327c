import { fromFixed } from './fixed-point.js';
import { formatRanges } from './ranges.js';
import { type Resource, reservedRole } from './resource.js';

/** Whether the `--resources` text can say all there is about `r` (unreserved or one plain static reservation). */
export function isTextual(r: Resource): boolean {
  if (r.disk !== undefined || r.revocable || r.shared || r.allocationRole !== undefined) return false;
  if (r.reservations.length === 0) return true;
  const [only] = r.reservations;
  return r.reservations.length === 1 && only!.type === 'STATIC' && only!.principal === undefined && only!.labels === undefined;
}

/**
 * One resource in the `--resources` text form (`cpus(ops):2`, `ports:[31000-32000]`,
 * `disks:{a,b}`). What the text cannot say is not written: use `isTextual` first where that
 * matters, or take it as a short description for messages.
 */
export function formatResource(r: Resource): string {
  const role = reservedRole(r);
  const name = role === '*' ? r.name : `${r.name}(${role})`;
  switch (r.type) {
    case 'SCALAR':
      return `${name}:${fromFixed(r.fixed)}`;
    case 'RANGES':
      return `${name}:${formatRanges(r.ranges)}`;
    case 'SET':
      return `${name}:{${r.items.join(',')}}`;
  }
}
