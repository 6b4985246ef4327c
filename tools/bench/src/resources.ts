/**
 * `npm run bench -- resources [--ops N]`: add, subtract and contains on a typical agent's
 * resources (`cpus:24;mem:4096;disk:4096;ports:[31000-32000]` plus reservations for two
 * roles) against a task's, the allocator's hot path. Baseline, measured in the same run:
 * the same arithmetic on a plain record of three floats (no ranges, roles or exactness),
 * the floor any resource model pays.
 */
import { orThrow, parseResources, type Resources } from '@ts-mesos/protocol';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function rate(ops: number, body: (i: number) => unknown): number {
  let sink: unknown;
  for (let i = 0; i < Math.min(ops, 50_000); i++) sink = body(i);
  const started = performance.now();
  for (let i = 0; i < ops; i++) sink = body(i);
  const seconds = (performance.now() - started) / 1000;
  if (sink === Symbol.for('never')) console.log(sink);
  return ops / seconds;
}

interface Plain {
  cpus: number;
  mem: number;
  disk: number;
}

export function run(args: readonly string[]): Promise<Record<string, number>> {
  const at = args.indexOf('--ops');
  const ops = at >= 0 ? Number(args[at + 1]) : 1_000_000;
  const agent: Resources = orThrow(parseResources('cpus:24;mem:4096;disk:4096;ports:[31000-32000];cpus(a):2;mem(a):512;cpus(b):2'));
  const task: Resources = orThrow(parseResources('cpus:0.5;mem:128;ports:[31005-31005]'));
  const used = agent.subtract(task);

  const add = rate(ops, () => used.add(task));
  const subtract = rate(ops, () => agent.subtract(task));
  const contains = rate(ops, () => agent.contains(task));
  console.log(`add:      ${fmt(add)} ops/s`);
  console.log(`subtract: ${fmt(subtract)} ops/s`);
  console.log(`contains: ${fmt(contains)} ops/s`);

  const plainAgent: Plain = { cpus: 28, mem: 4608, disk: 4096 };
  const plainTask: Plain = { cpus: 0.5, mem: 128, disk: 0 };
  const plainAdd = rate(ops, () => ({ cpus: plainAgent.cpus + plainTask.cpus, mem: plainAgent.mem + plainTask.mem, disk: plainAgent.disk + plainTask.disk }));
  console.log(`baseline (three floats) add: ${fmt(plainAdd)} ops/s; ours is ${(plainAdd / add).toFixed(1)}x slower`);

  return Promise.resolve({
    add_ops_per_s: Math.round(add),
    subtract_ops_per_s: Math.round(subtract),
    contains_ops_per_s: Math.round(contains),
    baseline_float_add_ops_per_s: Math.round(plainAdd),
    add_slowdown_vs_baseline: Number((plainAdd / add).toFixed(2)),
    ops,
  });
}
