// The Linux isolation of the mesos containerizer against the real kernel: cgroups (v1 here,
// v2 where mounted) and namespaces. Under CI=true missing cgroups fail this file; elsewhere it
// is skipped with the reason.
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ContainerId, parseResources, type Resources } from '@ts-mesos/protocol';
import { describeWithService, probeCgroups } from '@ts-mesos/testkit';
import { type ContainerConfig, detectCgroups, LinuxIsolator, PosixContainerizer } from '../src/index.js';

const cgroupsProbe = await probeCgroups();
const resources = (text: string): Resources => {
  const parsed = parseResources(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describeWithService(cgroupsProbe, 'mesos containerizer with Linux isolation (cgroups, namespaces)', () => {
  const prefix = `ts-mesos-test-${process.pid}`;
  const cgroups = detectCgroups('/sys/fs/cgroup', prefix)!;
  let root: string;
  let containerizer: PosixContainerizer;
  let count = 0;

  const make = (isolation: string[], extra: { pidsMax?: number; cfsQuota?: boolean } = {}): PosixContainerizer =>
    new PosixContainerizer({ runtimeDir: join(root, 'containers'), pollMs: 20, name: 'mesos', isolators: [new LinuxIsolator({ isolation, cgroups, ...extra })] });

  const config = (command: string, res = 'cpus:0.5;mem:64'): ContainerConfig => {
    const containerId = ContainerId(`c${++count}-${process.pid}`);
    const sandboxDir = join(root, 'sandboxes', containerId);
    mkdirSync(sandboxDir, { recursive: true });
    return { containerId, sandboxDir, command: { value: command }, environment: {}, resources: resources(res) };
  };
  const stdout = (c: ContainerConfig): string => readFileSync(join(c.sandboxDir, 'stdout'), 'utf8');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'linux-isolation-'));
  });

  afterEach(async () => {
    await Promise.all(containerizer.containers().map((id) => containerizer.destroy(id, 0).catch(() => undefined)));
    containerizer.close();
    rmSync(root, { recursive: true, force: true });
    for (const dir of [join('/sys/fs/cgroup', 'memory', prefix), join('/sys/fs/cgroup', 'cpu', prefix), join('/sys/fs/cgroup', 'pids', prefix), join('/sys/fs/cgroup', 'cpuacct', prefix), join('/sys/fs/cgroup', prefix)]) {
      try {
        rmdirSync(dir); // the per-run parent group, empty once every container was destroyed
      } catch {
        // not created on this machine's layout, or already gone
      }
    }
  });

  it('runs the task as pid 1 of its own pid namespace, with its own /proc', async () => {
    containerizer = make(['namespaces/pid']);
    const c = config('echo "pid=$$"; ls /proc | grep -c "^[0-9]"');
    await containerizer.launch(c);
    expect((await containerizer.wait(c.containerId)).exitCode).toBe(0);
    const [pidLine, processes] = stdout(c).trim().split('\n');
    expect(pidLine).toBe('pid=1');
    // Only the task's own few processes are visible, not the host's.
    expect(Number(processes)).toBeLessThan(5);
  });

  it('stops a task that exceeds its memory and reports REASON_CONTAINER_LIMITATION_MEMORY', async () => {
    containerizer = make(['cgroups/cpu', 'cgroups/mem']);
    const c = config(`perl -e '$x = "a" x (256 * 1024 * 1024); sleep 5'`, 'cpus:0.5;mem:32');
    await containerizer.launch(c);
    const termination = await containerizer.wait(c.containerId);
    expect(termination.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(termination.message).toContain('Memory limit exceeded');
    expect(cgroups.exists(c.containerId)).toBe(false);
  });

  it('holds a fork bomb to the pids limit', async () => {
    containerizer = make(['cgroups/pids'], { pidsMax: 16 });
    // Forks 40 children that sleep; the forks past the limit fail (EAGAIN) instead of succeeding.
    const c = config(`perl -e '$| = 1; my ($n, $f) = (0, 0); for (1 .. 40) { my $p = fork(); if (!defined $p) { $f++; next } if ($p == 0) { sleep 30; exit 0 } $n++ } print "forked $n failed $f\\n"; sleep 30'`);
    await containerizer.launch(c);
    await until('the fork loop to finish', () => stdout(c).includes('forked'));
    const [, forked, failed] = /forked (\d+) failed (\d+)/.exec(stdout(c))!;
    expect(Number(forked)).toBeLessThanOrEqual(15);
    expect(Number(failed)).toBeGreaterThanOrEqual(25);
    const usage = await containerizer.usage(c.containerId);
    expect(usage.processes).toBeLessThanOrEqual(16);
  });

  it('throttles a busy task to its cpus with --cgroups_enable_cfs, visible in usage', async () => {
    containerizer = make(['cgroups/cpu'], { cfsQuota: true });
    const c = config('while :; do :; done', 'cpus:0.1;mem:64');
    await containerizer.launch(c);
    await until('throttling', () => {
      const usage = cgroups.usage(c.containerId);
      return (usage.cpus_nr_throttled ?? 0) > 2;
    });
    const usage = await containerizer.usage(c.containerId);
    expect(usage.cpus_nr_throttled).toBeGreaterThan(2);
    expect(usage.cpus_throttled_time_secs).toBeGreaterThan(0);
    expect(usage.cpus_user_time_secs! + usage.cpus_system_time_secs!).toBeGreaterThan(0);
  });

  it('destroy leaves no process and no cgroup behind, even one that left the session', async () => {
    containerizer = make(['cgroups/cpu', 'cgroups/mem', 'cgroups/pids', 'namespaces/pid'], { pidsMax: 64 });
    const c = config('setsid sleep 1000 & sleep 1000 & echo started; wait');
    await containerizer.launch(c);
    await until('the sleeps', () => stdout(c).includes('started') && cgroups.pids(c.containerId).length >= 4);
    // A process is identified by pid and start time: on a busy machine a pid can be reused.
    const started = (pid: number): string | undefined => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
      } catch {
        return undefined;
      }
    };
    const before = cgroups.pids(c.containerId).map((pid) => ({ pid, start: started(pid) }));
    await containerizer.destroy(c.containerId, 1000);
    expect(cgroups.exists(c.containerId)).toBe(false);
    const alive = (): number[] => before.filter((p) => p.start !== undefined && started(p.pid) === p.start).map((p) => p.pid);
    // The cgroup is gone, so every process has left it; one may still be finishing its exit
    // on a loaded machine (after leaving the cgroup, before it is a zombie): give that a moment.
    await until('the killed processes to be gone', () => alive().length === 0).catch(() => undefined);
    expect(alive()).toEqual([]);
  });

  it('refuses unknown isolators by name', () => {
    expect(() => new LinuxIsolator({ isolation: ['cgroups/everything'], cgroups })).toThrow(/Unknown isolator 'cgroups\/everything'/);
  });
});
