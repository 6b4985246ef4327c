import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Containerizer, DockerClient, DockerContainerizer, detectCgroups, LinuxIsolator, PosixContainerizer } from '@ts-mesos/containerizer';
import { ContainerId, parseResources } from '@ts-mesos/protocol';

const IMAGE = 'ts-mesos/busybox:latest';

function flag(args: readonly string[], name: string, fallback: number): number {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.split('=')[1]);
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs `count` jobs, at most `concurrency` at a time; returns each job's launch latency and the total tasks/s. */
async function drive(count: number, concurrency: number, job: (i: number) => Promise<{ launchedMs: number }>): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        latencies.push((await job(i)).launchedMs);
      }
    }),
  );
  return { latencies, perSecond: count / ((performance.now() - started) / 1000) };
}

async function viaContainerizer(containerizer: Containerizer, dir: string, count: number, concurrency: number, docker: boolean): Promise<{ latencies: number[]; perSecond: number }> {
  const resources = parseResources('cpus:0.1;mem:32');
  if (!resources.ok) throw new Error(resources.error);
  return drive(count, concurrency, async (i) => {
    const containerId = ContainerId(`bench-${process.pid}-${containerizer.name}-${i}`);
    const sandboxDir = join(dir, containerId);
    mkdirSync(sandboxDir, { recursive: true });
    const t = performance.now();
    await containerizer.launch({ containerId, sandboxDir, command: { value: 'true' }, environment: {}, resources: resources.value, ...(docker ? { container: { type: 'DOCKER' as const, docker: { image: IMAGE, network: 'NONE' as const } } } : {}) });
    const launchedMs = performance.now() - t;
    await containerizer.wait(containerId);
    return { launchedMs };
  });
}

function spawnBaseline(count: number, concurrency: number, argv: string[]): Promise<{ latencies: number[]; perSecond: number }> {
  return drive(count, concurrency, (i) => {
    void i;
    const t = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      let launchedMs = 0;
      child.once('spawn', () => (launchedMs = performance.now() - t));
      child.once('error', reject);
      child.once('exit', () => resolve({ launchedMs }));
    });
  });
}

/**
 * `npm run bench -- containers [--tasks=200] [--concurrency=8]`: `true` tasks through the posix,
 * Linux-isolated (cgroups + pid namespace) and Docker containerizers on this machine: launch
 * latency p50/p99 and tasks/s to the end, beside same-run baselines (a plain spawn of
 * `sh -c true`; `docker run --rm` of the same image).
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const tasks = flag(args, 'tasks', 200);
  const concurrency = flag(args, 'concurrency', 8);
  const dir = mkdtempSync(join(tmpdir(), 'bench-containers-'));
  const figures: Record<string, number> = { tasks, concurrency };
  const report = (name: string, result: { latencies: number[]; perSecond: number }, baseline?: number): void => {
    const p50 = percentile(result.latencies, 50);
    const p99 = percentile(result.latencies, 99);
    figures[`${name}_launch_p50_ms`] = Number(p50.toFixed(1));
    figures[`${name}_launch_p99_ms`] = Number(p99.toFixed(1));
    figures[`${name}_tasks_per_s`] = Number(result.perSecond.toFixed(1));
    if (baseline !== undefined) figures[`${name}_ratio_vs_baseline`] = Number((result.perSecond / baseline).toFixed(2));
    process.stdout.write(`${name.padEnd(16)} launch p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; ${result.perSecond.toFixed(1)} tasks/s${baseline === undefined ? '' : ` (${(result.perSecond / baseline).toFixed(2)} x baseline)`}\n`);
  };
  try {
    const spawned = await spawnBaseline(tasks, concurrency, ['/bin/sh', '-c', 'true']);
    report('spawn_baseline', spawned);
    const posix = new PosixContainerizer({ runtimeDir: join(dir, 'posix-runtime') });
    report('posix', await viaContainerizer(posix, join(dir, 'posix'), tasks, concurrency, false), spawned.perSecond);
    posix.close();
    const cgroups = detectCgroups('/sys/fs/cgroup', `ts-mesos-bench-${process.pid}`);
    if (cgroups !== undefined) {
      const linux = new PosixContainerizer({ runtimeDir: join(dir, 'linux-runtime'), name: 'mesos', isolators: [new LinuxIsolator({ isolation: ['cgroups/cpu', 'cgroups/mem', 'namespaces/pid'], cgroups })] });
      report('linux', await viaContainerizer(linux, join(dir, 'linux'), tasks, concurrency, false), spawned.perSecond);
      linux.close();
    } else {
      process.stdout.write('linux            skipped: no cgroups hierarchy mounted at /sys/fs/cgroup\n');
    }
    const engine = new DockerClient();
    const ping = await engine.call('GET', '/_ping').catch(() => undefined);
    const image = ping?.status === 200 ? await engine.call('GET', `/images/${encodeURIComponent(IMAGE)}/json`) : undefined;
    if (image?.status === 200) {
      const dockerTasks = Math.min(tasks, flag(args, 'docker-tasks', tasks));
      const baseline = await drive(dockerTasks, concurrency, async () => {
        const t = performance.now();
        await promisify(execFile)('docker', ['run', '--rm', '--network', 'none', IMAGE, 'true']);
        return { launchedMs: performance.now() - t };
      });
      report('docker_run_baseline', baseline);
      report('docker', await viaContainerizer(new DockerContainerizer(), join(dir, 'docker'), dockerTasks, concurrency, true), baseline.perSecond);
    } else {
      process.stdout.write(`docker           skipped: ${ping?.status === 200 ? `image ${IMAGE} is not present (run tools/services)` : 'no Docker engine at /var/run/docker.sock (run tools/services)'}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const controller of ['cpu', 'cpuacct', 'memory', 'pids', '.']) {
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, `ts-mesos-bench-${process.pid}`));
      } catch {
        // not created for this controller
      }
    }
  }
  return figures;
}
