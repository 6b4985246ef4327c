import { formatRanges, type RangeBounds, unionRanges } from './ranges.js';
import type { Resources } from './resources.js';

/**
 * Resources as Mesos's unversioned endpoints show them (`/master/state`, `/slave(1)/state`):
 * one key per name, scalars as numbers, ranges as `[31000-32000]` text, sets as `{a,b}`;
 * `cpus`, `mem`, `disk` and `gpus` are always present.
 */
export function resourcesModel(resources: Resources): Record<string, number | string> {
  const model: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const name of resources.names()) {
    const named = resources.named(name);
    const first = named.items[0];
    if (first === undefined) continue;
    if (first.type === 'SCALAR') model[name] = named.scalar(name);
    else if (first.type === 'RANGES') {
      let bounds: RangeBounds = [];
      for (const r of named.items) if (r.type === 'RANGES') bounds = unionRanges(bounds, r.ranges);
      model[name] = formatRanges(bounds);
    }
    else model[name] = `{${[...new Set(named.items.flatMap((r) => (r.type === 'SET' ? [...r.items] : [])))].join(',')}}`;
  }
  return model;
}
