import { type Resource, Resources, resourceFromJson, resourceToJson } from '@ts-mesos/protocol';
import { DEFAULT_REFUSE_SECONDS, MAX_REFUSE_SECONDS } from './allocator.js';

/** Scalar totals by resource name. */
export function scalarsOf(resources: Resources): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of resources) if (r.type === 'SCALAR') out.set(r.name, (out.get(r.name) ?? 0) + r.fixed / 1000);
  return out;
}

/** Lowers scalars named in `caps` so that their totals do not exceed the caps (quota limits). */
export function capScalars(resources: Resources, caps: ReadonlyMap<string, number>): Resources {
  if (caps.size === 0) return resources;
  const left = new Map(caps);
  const kept: Resource[] = [];
  for (const r of resources) {
    const cap = r.type === 'SCALAR' ? left.get(r.name) : undefined;
    if (r.type !== 'SCALAR' || cap === undefined) {
      kept.push(r);
      continue;
    }
    const amount = r.fixed / 1000;
    const take = Math.max(0, Math.min(amount, cap));
    left.set(r.name, cap - take);
    if (take <= 0) continue;
    if (take === amount) kept.push(r);
    else {
      const parsed = resourceFromJson({ ...resourceToJson(r), scalar: { value: Math.floor(take * 1000) / 1000 } });
      if (parsed.ok) kept.push(parsed.value);
    }
  }
  return Resources.of(...kept);
}

/** Whether resources are worth offering: at least one of the minimums is met (Mesos `min_allocatable_resources`). */
export function meetsMinimum(resources: Resources, minimums: readonly Readonly<Record<string, number>>[]): boolean {
  if (resources.isEmpty()) return false;
  for (const minimum of minimums) {
    let met = true;
    for (const name in minimum) {
      if (resources.scalar(name) < minimum[name]!) {
        met = false;
        break;
      }
    }
    if (met) return true;
  }
  return false;
}

/** When a DECLINE filter expires, or undefined for none (Mesos: negative means the default, capped at 365 days). */
export function refuseUntil(now: number, refuseSeconds: number | undefined): number | undefined {
  if (refuseSeconds === undefined) return undefined;
  const seconds = refuseSeconds < 0 ? DEFAULT_REFUSE_SECONDS : Math.min(refuseSeconds, MAX_REFUSE_SECONDS);
  return seconds > 0 ? now + seconds * 1000 : undefined;
}
