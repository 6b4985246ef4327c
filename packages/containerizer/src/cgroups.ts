import { existsSync, mkdirSync, readFileSync, realpathSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a container's cgroups enforce. */
export interface CgroupLimits {
  /** cpu shares (v1) or weight (v2) follow the task's cpus. */
  readonly cpus?: number;
  /** A hard CFS quota of `cpus` as well (`--cgroups_enable_cfs`). */
  readonly cfsQuota?: boolean;
  readonly memBytes?: number;
  readonly pidsMax?: number;
}

/** Usage read from a container's cgroups, with Mesos's `ResourceStatistics` names. */
export interface CgroupUsage {
  readonly cpus_user_time_secs?: number;
  readonly cpus_system_time_secs?: number;
  readonly cpus_nr_throttled?: number;
  readonly cpus_throttled_time_secs?: number;
  readonly mem_rss_bytes?: number;
  readonly mem_total_bytes?: number;
  readonly processes?: number;
}

/**
 * The cgroups of containers under one root group (`--cgroups_root`, default `ts-mesos`):
 * created with their limits before the container's first process starts (the launcher writes
 * that process into `procsFiles`), read for usage, killed and removed on destroy.
 */
export interface Cgroups {
  readonly version: 1 | 2;
  /** Creates the container's groups with its limits; returns the `cgroup.procs` files its first process joins. */
  create(containerId: string, limits: CgroupLimits): string[];
  usage(containerId: string): CgroupUsage;
  /** Whether the kernel's OOM killer killed a process of the container. */
  oomKilled(containerId: string): boolean;
  pids(containerId: string): number[];
  /** SIGKILLs every process in the container's groups until none is left (or `timeoutMs` passed); then removes the groups. */
  destroy(containerId: string, timeoutMs?: number): Promise<void>;
  /** Whether the container's groups exist. */
  exists(containerId: string): boolean;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** `key value` lines (cpu.stat, memory.stat, memory.events) as a record. */
export function keyValues(text: string | undefined): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key !== undefined && key !== '' && value !== undefined) values[key] = Number(value);
  }
  return values;
}

const procsOf = (file: string): number[] =>
  (read(file) ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** cgroups v1: one hierarchy per controller (`<root>/memory/<prefix>/<id>`, ...). */
export class CgroupsV1 implements Cgroups {
  readonly version = 1;
  private static readonly CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;

  constructor(
    private readonly root: string,
    private readonly prefix: string,
  ) {}

  private dir(controller: string, containerId: string): string {
    return join(this.root, controller, this.prefix, containerId);
  }

  /** Whether this machine mounts the controller. */
  private has(controller: string): boolean {
    return existsSync(join(this.root, controller, 'cgroup.procs'));
  }

  /** One directory per mounted hierarchy (cpu and cpuacct are often one, `cpu,cpuacct`, with links). */
  private dirs(containerId: string): string[] {
    const byMount = new Map<string, string>();
    for (const c of CgroupsV1.CONTROLLERS) {
      let mount: string;
      try {
        mount = realpathSync(join(this.root, c));
      } catch {
        continue;
      }
      if (!byMount.has(mount)) byMount.set(mount, this.dir(c, containerId));
    }
    return [...byMount.values()];
  }

  create(containerId: string, limits: CgroupLimits): string[] {
    for (const dir of this.dirs(containerId)) mkdirSync(dir, { recursive: true });
    if (limits.cpus !== undefined && limits.cpus > 0) {
      writeFileSync(join(this.dir('cpu', containerId), 'cpu.shares'), String(Math.max(2, Math.round(1024 * limits.cpus))));
      if (limits.cfsQuota === true) {
        writeFileSync(join(this.dir('cpu', containerId), 'cpu.cfs_period_us'), '100000');
        writeFileSync(join(this.dir('cpu', containerId), 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpus * 100_000))));
      }
    }
    if (limits.memBytes !== undefined && limits.memBytes > 0) {
      writeFileSync(join(this.dir('memory', containerId), 'memory.limit_in_bytes'), String(Math.round(limits.memBytes)));
      // With swap accounting, memory+swap gets the same limit: the container cannot swap its way past it.
      const memsw = join(this.dir('memory', containerId), 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) writeFileSync(memsw, String(Math.round(limits.memBytes)));
    }
    if (limits.pidsMax !== undefined && limits.pidsMax > 0 && this.has('pids')) writeFileSync(join(this.dir('pids', containerId), 'pids.max'), String(limits.pidsMax));
    return this.dirs(containerId).map((d) => join(d, 'cgroup.procs'));
  }

  usage(containerId: string): CgroupUsage {
    const ticks = keyValues(read(join(this.dir('cpuacct', containerId), 'cpuacct.stat')));
    const cpu = keyValues(read(join(this.dir('cpu', containerId), 'cpu.stat')));
    const memory = keyValues(read(join(this.dir('memory', containerId), 'memory.stat')));
    const usageBytes = Number(read(join(this.dir('memory', containerId), 'memory.usage_in_bytes')) ?? NaN);
    return {
      ...(ticks['user'] === undefined ? {} : { cpus_user_time_secs: ticks['user'] / 100 }),
      ...(ticks['system'] === undefined ? {} : { cpus_system_time_secs: ticks['system'] / 100 }),
      ...(cpu['nr_throttled'] === undefined ? {} : { cpus_nr_throttled: cpu['nr_throttled'] }),
      ...(cpu['throttled_time'] === undefined ? {} : { cpus_throttled_time_secs: cpu['throttled_time'] / 1e9 }),
      ...(memory['total_rss'] === undefined ? {} : { mem_rss_bytes: memory['total_rss'] }),
      ...(Number.isFinite(usageBytes) ? { mem_total_bytes: usageBytes } : {}),
      processes: this.pids(containerId).length,
    };
  }

  oomKilled(containerId: string): boolean {
    const control = keyValues(read(join(this.dir('memory', containerId), 'memory.oom_control')));
    return (control['oom_kill'] ?? 0) > 0;
  }

  pids(containerId: string): number[] {
    return procsOf(join(this.dir('memory', containerId), 'cgroup.procs'));
  }

  exists(containerId: string): boolean {
    return this.dirs(containerId).some((d) => existsSync(d));
  }

  async destroy(containerId: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const files = this.dirs(containerId).map((d) => join(d, 'cgroup.procs'));
    for (;;) {
      const pids = [...new Set(files.flatMap(procsOf))];
      if (pids.length === 0 || Date.now() > deadline) break;
      killAll(pids);
      await sleep(10);
    }
    await removeGroups(this.dirs(containerId), deadline);
  }
}

/** cgroups v2: one unified hierarchy (`<root>/<prefix>/<id>`), controllers enabled on the way down. */
export class CgroupsV2 implements Cgroups {
  readonly version = 2;

  constructor(
    private readonly root: string,
    private readonly prefix: string,
  ) {}

  private dir(containerId: string): string {
    return join(this.root, this.prefix, containerId);
  }

  create(containerId: string, limits: CgroupLimits): string[] {
    const parent = join(this.root, this.prefix);
    mkdirSync(parent, { recursive: true });
    const available = new Set((read(join(this.root, 'cgroup.controllers')) ?? '').trim().split(/\s+/));
    const wanted = ['cpu', 'memory', 'pids'].filter((c) => available.has(c));
    for (const level of [this.root, parent]) {
      const control = join(level, 'cgroup.subtree_control');
      const enabled = new Set((read(control) ?? '').trim().split(/\s+/));
      for (const c of wanted) if (!enabled.has(c)) writeFileSync(control, `+${c}`);
    }
    const dir = this.dir(containerId);
    mkdirSync(dir, { recursive: true });
    if (limits.cpus !== undefined && limits.cpus > 0) {
      writeFileSync(join(dir, 'cpu.weight'), String(Math.min(10_000, Math.max(1, Math.round(limits.cpus * 100)))));
      if (limits.cfsQuota === true) writeFileSync(join(dir, 'cpu.max'), `${Math.max(1000, Math.round(limits.cpus * 100_000))} 100000`);
    }
    if (limits.memBytes !== undefined && limits.memBytes > 0) {
      writeFileSync(join(dir, 'memory.max'), String(Math.round(limits.memBytes)));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    }
    if (limits.pidsMax !== undefined && limits.pidsMax > 0) writeFileSync(join(dir, 'pids.max'), String(limits.pidsMax));
    return [join(dir, 'cgroup.procs')];
  }

  usage(containerId: string): CgroupUsage {
    const dir = this.dir(containerId);
    const cpu = keyValues(read(join(dir, 'cpu.stat')));
    const memory = keyValues(read(join(dir, 'memory.stat')));
    const current = Number(read(join(dir, 'memory.current')) ?? NaN);
    return {
      ...(cpu['user_usec'] === undefined ? {} : { cpus_user_time_secs: cpu['user_usec'] / 1e6 }),
      ...(cpu['system_usec'] === undefined ? {} : { cpus_system_time_secs: cpu['system_usec'] / 1e6 }),
      ...(cpu['nr_throttled'] === undefined ? {} : { cpus_nr_throttled: cpu['nr_throttled'] }),
      ...(cpu['throttled_usec'] === undefined ? {} : { cpus_throttled_time_secs: cpu['throttled_usec'] / 1e6 }),
      ...(memory['anon'] === undefined ? {} : { mem_rss_bytes: memory['anon'] }),
      ...(Number.isFinite(current) ? { mem_total_bytes: current } : {}),
      processes: this.pids(containerId).length,
    };
  }

  oomKilled(containerId: string): boolean {
    return (keyValues(read(join(this.dir(containerId), 'memory.events')))['oom_kill'] ?? 0) > 0;
  }

  pids(containerId: string): number[] {
    return procsOf(join(this.dir(containerId), 'cgroup.procs'));
  }

  exists(containerId: string): boolean {
    return existsSync(this.dir(containerId));
  }

  async destroy(containerId: string, timeoutMs = 5000): Promise<void> {
    const dir = this.dir(containerId);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pids = this.pids(containerId);
      if (pids.length === 0 || Date.now() > deadline) break;
      if (existsSync(join(dir, 'cgroup.kill'))) writeFileSync(join(dir, 'cgroup.kill'), '1');
      else killAll(pids);
      await sleep(10);
    }
    await removeGroups([dir], deadline);
  }
}

/**
 * Removes emptied groups. A group cannot go while its last processes are still being reaped
 * (slowly, on a loaded machine, when they were reparented): it is retried until `deadline`
 * plus a grace of the same order, then left for the next cleanup.
 */
async function removeGroups(dirs: readonly string[], deadline: number): Promise<void> {
  const giveUp = Math.max(deadline, Date.now()) + 5000;
  for (const dir of dirs) {
    while (existsSync(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        if (Date.now() > giveUp) break;
        await sleep(20);
      }
    }
  }
}

/**
 * The cgroups of this machine: v2 when `<root>` is a unified hierarchy (`cgroup.controllers`
 * at the top), v1 when it holds per-controller hierarchies with a `memory` one; undefined
 * when neither is mounted.
 */
export function detectCgroups(root = '/sys/fs/cgroup', prefix = 'ts-mesos'): Cgroups | undefined {
  if (existsSync(join(root, 'cgroup.controllers'))) return new CgroupsV2(root, prefix);
  if (existsSync(join(root, 'memory', 'cgroup.procs'))) return new CgroupsV1(root, prefix);
  return undefined;
}
