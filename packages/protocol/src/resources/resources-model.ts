import { formatRanges, type RangeBounds, unionRanges } from './ranges.js';
import { fromFixed } from './fixed-point.js';
import type { Resource } from './resource.js';
import { Resources, splitScalars } from './resources.js';
import type { Task } from '../schemas/mesos.js';

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

/**
 * Adds up many resource bags into one `resourcesModel` without building the sums as `Resources`
 * (which allocates a bag per addition): for `/master/state`'s per-agent and per-framework
 * totals over every task. Scalars add exactly (thousandths); ranges and sets unite.
 */
export class ResourcesModelSum {
  /**
   * Resources other than the four below, made when the first one is added: `/master/state` sums
   * the tasks and offers of every agent at each call, and most sums never need them.
   */
  private scalars: Map<string, number> | undefined = undefined;
  private ranges: Map<string, RangeBounds> | undefined = undefined;
  private sets: Map<string, Set<string>> | undefined = undefined;
  /** cpus, mem, disk, gpus in thousandths: the common case kept out of the maps. */
  private cpus = 0;
  private mem = 0;
  private disk = 0;
  private gpus = 0;

  /**
   * Adds a bag. A `Resources` bag is split once into its four common scalars and the rest
   * (`Resources.split`), so adding it again costs four additions.
   */
  add(resources: Iterable<Resource>): this {
    const compact = resources instanceof Resources ? resources.split() : splitScalars(resources);
    this.cpus += compact.cpus;
    this.mem += compact.mem;
    this.disk += compact.disk;
    this.gpus += compact.gpus;
    for (const r of compact.rest) {
      if (r.type === 'SCALAR') this.addScalar(r.name, r.fixed);
      else if (r.type === 'RANGES') this.addRanges(r.name, r.ranges);
      else this.addItems(r.name, r.items);
    }
    return this;
  }

  private addScalar(name: string, fixed: number): void {
    const scalars = (this.scalars ??= new Map<string, number>());
    scalars.set(name, (scalars.get(name) ?? 0) + fixed);
  }

  private addRanges(name: string, bounds: RangeBounds): void {
    const ranges = (this.ranges ??= new Map<string, RangeBounds>());
    ranges.set(name, unionRanges(ranges.get(name) ?? [], bounds));
  }

  private addItems(name: string, items: Iterable<string>): void {
    const sets = (this.sets ??= new Map<string, Set<string>>());
    let set = sets.get(name);
    if (set === undefined) sets.set(name, (set = new Set<string>()));
    for (const item of items) set.add(item);
  }

  /** A new sum of this one and `other`. */
  plus(other: ResourcesModelSum): ResourcesModelSum {
    const sum = new ResourcesModelSum();
    for (const source of [this, other]) {
      sum.cpus += source.cpus;
      sum.mem += source.mem;
      sum.disk += source.disk;
      sum.gpus += source.gpus;
      for (const [name, fixed] of source.scalars ?? []) sum.addScalar(name, fixed);
      for (const [name, bounds] of source.ranges ?? []) sum.addRanges(name, bounds);
      for (const [name, items] of source.sets ?? []) sum.addItems(name, items);
    }
    return sum;
  }

  model(): Record<string, number | string> {
    const model: Record<string, number | string> = { cpus: fromFixed(this.cpus), mem: fromFixed(this.mem), disk: fromFixed(this.disk), gpus: fromFixed(this.gpus) };
    if (this.scalars === undefined && this.ranges === undefined && this.sets === undefined) return model;
    const names = [...(this.scalars?.keys() ?? []), ...(this.ranges?.keys() ?? []), ...(this.sets?.keys() ?? [])].sort();
    for (const name of names) {
      const fixed = this.scalars?.get(name);
      if (fixed !== undefined) model[name] = fromFixed(fixed);
      const bounds = this.ranges?.get(name);
      if (bounds !== undefined) model[name] = formatRanges(bounds);
      const set = this.sets?.get(name);
      if (set !== undefined) model[name] = `{${[...set].join(',')}}`;
    }
    return model;
  }

  /** `JSON.stringify(this.model())`, made directly in the common case of the four scalars alone. */
  json(): string {
    if (this.scalars !== undefined || this.ranges !== undefined || this.sets !== undefined) return JSON.stringify(this.model());
    return `{"cpus":${fromFixed(this.cpus)},"mem":${fromFixed(this.mem)},"disk":${fromFixed(this.disk)},"gpus":${fromFixed(this.gpus)}}`;
  }
}

/**
 * A task as the unversioned `/state` endpoints of master and agent show it (Mesos field names),
 * with its resources already modelled; `role` where the master knows it.
 */
export function taskStateModel(task: Task, resources: Record<string, number | string>, role?: string): Record<string, unknown> {
  return {
    id: task.task_id.value,
    name: task.name,
    framework_id: task.framework_id.value,
    executor_id: task.executor_id?.value ?? '',
    slave_id: task.agent_id.value,
    state: task.state,
    resources,
    ...(role === undefined ? {} : { role }),
    statuses: (task.statuses ?? []).map((s) => ({ state: s.state, timestamp: s.timestamp ?? 0 })),
    ...(task.labels === undefined ? {} : { labels: task.labels.labels }),
    ...(task.container === undefined ? {} : { container: task.container }),
  };
}
