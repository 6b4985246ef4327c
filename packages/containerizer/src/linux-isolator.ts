import { accessSync, constants } from 'node:fs';
import type { CgroupLimits, Cgroups } from './cgroups.js';
import type { ContainerConfig, ResourceStatistics, Termination } from './containerizer.js';
import type { Isolator, Prepared } from './posix-containerizer.js';

/** The `--isolation` entries this isolator understands (Mesos's names). */
export const LINUX_ISOLATION = ['cgroups/cpu', 'cgroups/mem', 'cgroups/pids', 'namespaces/pid', 'namespaces/ipc', 'namespaces/uts', 'network/none'] as const;

export interface LinuxIsolatorOptions {
  /** `--isolation`, e.g. `cgroups/cpu,cgroups/mem,namespaces/pid`. */
  readonly isolation: readonly string[];
  /** Needed for any `cgroups/*` entry. */
  readonly cgroups: Cgroups | undefined;
  /** `--cgroups_enable_cfs`: a hard cpu quota besides shares. */
  readonly cfsQuota?: boolean;
  /** `--cgroups_max_pids` (ours): the most processes a container may have. */
  readonly pidsMax?: number;
  /** The `unshare` binary (util-linux). */
  readonly unshare?: string;
}

export class IsolationConfigError extends Error {
  readonly _tag = 'IsolationConfigError';
}

/** Where `unshare` is, or undefined. */
export function findUnshare(): string | undefined {
  for (const candidate of ['/usr/bin/unshare', '/bin/unshare']) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Linux isolation for the `mesos` containerizer: each container in its own cgroups (cpu shares
 * or weight from its cpus, optionally a hard CFS quota; a memory limit from its mem; a pids
 * limit) and, with `namespaces/pid`, its own pid and mount namespaces with `/proc` remounted
 * (`unshare --fork --pid --mount-proc`, so the task's first process is pid 1), plus ipc and
 * uts namespaces when asked, and an empty network namespace with `network/none`. A container
 * the kernel OOM-killed ends with `REASON_CONTAINER_LIMITATION_MEMORY`.
 */
export class LinuxIsolator implements Isolator {
  readonly name = 'linux';
  private readonly isolation: Set<string>;
  private readonly unshare: string | undefined;

  constructor(private readonly options: LinuxIsolatorOptions) {
    this.isolation = new Set(options.isolation);
    for (const entry of this.isolation) {
      if (entry.startsWith('posix/') || entry === 'filesystem/posix') continue;
      if (!(LINUX_ISOLATION as readonly string[]).includes(entry)) throw new IsolationConfigError(`Unknown isolator '${entry}' (known: ${[...LINUX_ISOLATION, 'posix/cpu', 'posix/mem'].join(', ')})`);
    }
    if (this.usesCgroups && options.cgroups === undefined) throw new IsolationConfigError('cgroups isolation was asked for, and no cgroups hierarchy (v1 or v2) is mounted at the cgroups root');
    this.unshare = options.unshare ?? findUnshare();
    if (this.usesNamespaces && this.unshare === undefined) throw new IsolationConfigError("namespace isolation needs 'unshare' (util-linux), which is not installed");
  }

  private get usesCgroups(): boolean {
    return [...this.isolation].some((e) => e.startsWith('cgroups/'));
  }

  private get usesNamespaces(): boolean {
    return ['namespaces/pid', 'namespaces/ipc', 'namespaces/uts', 'network/none'].some((e) => this.isolation.has(e));
  }

  prepare(config: ContainerConfig): Prepared {
    let join: string[] = [];
    if (this.usesCgroups && this.options.cgroups !== undefined) {
      const cpus = config.resources.cpus();
      const mem = config.resources.mem();
      const limits: CgroupLimits = {
        ...(this.isolation.has('cgroups/cpu') && cpus > 0 ? { cpus, cfsQuota: this.options.cfsQuota === true } : {}),
        // Mesos's floor for a container's memory limit is 32 MB.
        ...(this.isolation.has('cgroups/mem') && mem > 0 ? { memBytes: Math.max(mem, 32) * 1024 * 1024 } : {}),
        ...(this.isolation.has('cgroups/pids') && this.options.pidsMax !== undefined ? { pidsMax: this.options.pidsMax } : {}),
      };
      join = this.options.cgroups.create(config.containerId, limits);
    }
    const flags: string[] = [];
    if (this.isolation.has('namespaces/pid')) flags.push('--fork', '--pid', '--mount-proc', '--kill-child');
    if (this.isolation.has('namespaces/ipc')) flags.push('--ipc');
    if (this.isolation.has('namespaces/uts')) flags.push('--uts');
    if (this.isolation.has('network/none')) flags.push('--net');
    const unshare = this.unshare;
    return {
      join,
      ...(flags.length === 0 || unshare === undefined ? {} : { wrap: (argv: string[]) => [unshare, ...flags, '--', ...argv] }),
      state: { cgroups: this.usesCgroups, version: this.options.cgroups?.version ?? 0 },
    };
  }

  ended(containerId: string, termination: Termination): Termination {
    if (!this.isolation.has('cgroups/mem') || this.options.cgroups?.oomKilled(containerId) !== true) return termination;
    return { ...termination, reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: `Memory limit exceeded: the kernel's OOM killer stopped the container (${termination.message})` };
  }

  async cleanup(containerId: string): Promise<void> {
    if (this.usesCgroups && this.options.cgroups?.exists(containerId) === true) await this.options.cgroups.destroy(containerId);
  }

  usage(containerId: string): Partial<ResourceStatistics> {
    if (!this.usesCgroups || this.options.cgroups === undefined) return {};
    const usage = this.options.cgroups.usage(containerId);
    return {
      ...(usage.cpus_user_time_secs === undefined ? {} : { cpus_user_time_secs: usage.cpus_user_time_secs }),
      ...(usage.cpus_system_time_secs === undefined ? {} : { cpus_system_time_secs: usage.cpus_system_time_secs }),
      ...(usage.cpus_nr_throttled === undefined ? {} : { cpus_nr_throttled: usage.cpus_nr_throttled }),
      ...(usage.cpus_throttled_time_secs === undefined ? {} : { cpus_throttled_time_secs: usage.cpus_throttled_time_secs }),
      ...(usage.mem_rss_bytes === undefined ? {} : { mem_rss_bytes: usage.mem_rss_bytes }),
      ...(usage.processes === undefined ? {} : { processes: usage.processes }),
    };
  }
}
