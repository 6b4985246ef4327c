import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CgroupsV2, detectCgroups, keyValues } from './cgroups.js';

// The kernel's cgroups are exercised in test/linux-isolation.test.ts (v1 on these machines).
// Here: which values cgroups v2 gets, written into a directory laid out like a v2 mount.
let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('cgroups v2 layout', () => {
  it('is detected by its top-level cgroup.controllers, and gets weight, quota, memory and pids limits', () => {
    root = mkdtempSync(join(tmpdir(), 'cgroup2-'));
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(root, 'cgroup.subtree_control'), '');
    const cgroups = detectCgroups(root, 'mesos');
    expect(cgroups).toBeInstanceOf(CgroupsV2);
    mkdirSync(join(root, 'mesos'));
    writeFileSync(join(root, 'mesos', 'cgroup.subtree_control'), '');
    const join_ = cgroups!.create('c1', { cpus: 1.5, cfsQuota: true, memBytes: 64 * 1024 * 1024, pidsMax: 100 });
    const dir = join(root, 'mesos', 'c1');
    expect(join_).toEqual([join(dir, 'cgroup.procs')]);
    expect(readFileSync(join(dir, 'cpu.weight'), 'utf8')).toBe('150');
    expect(readFileSync(join(dir, 'cpu.max'), 'utf8')).toBe('150000 100000');
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(64 * 1024 * 1024));
    expect(readFileSync(join(dir, 'pids.max'), 'utf8')).toBe('100');
  });

  it('reads usage and OOM kills from v2 stat files', () => {
    root = mkdtempSync(join(tmpdir(), 'cgroup2-'));
    writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
    const cgroups = new CgroupsV2(root, 'mesos');
    const dir = join(root, 'mesos', 'c2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 3000000\nuser_usec 2000000\nsystem_usec 1000000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 500000\n');
    writeFileSync(join(dir, 'memory.stat'), 'anon 1048576\nfile 4096\n');
    writeFileSync(join(dir, 'memory.current'), '2097152\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    writeFileSync(join(dir, 'cgroup.procs'), '12\n13\n');
    expect(cgroups.usage('c2')).toEqual({ cpus_user_time_secs: 2, cpus_system_time_secs: 1, cpus_nr_throttled: 4, cpus_throttled_time_secs: 0.5, mem_rss_bytes: 1048576, mem_total_bytes: 2097152, processes: 2 });
    expect(cgroups.oomKilled('c2')).toBe(true);
    expect(keyValues('a 1\n\nb  2\n')).toEqual({ a: 1, b: 2 });
  });
});
