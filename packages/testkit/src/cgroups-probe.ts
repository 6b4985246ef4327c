import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupLayout, parseCgroupMounts, type CgroupMount } from './cgroup-mounts.js';
import { CGROUP_ROOT } from './service-addresses.js';
import { describeError, type ServiceProbe } from './service-probe.js';

export interface CgroupsProbe extends ServiceProbe {
  readonly version: 1 | 2 | undefined;
  /** Where child groups are created: v1 the memory hierarchy, v2 the unified one. */
  readonly hierarchy: string | undefined;
  readonly hybrid: boolean;
  /** Every cgroup mount point, v1 and v2. */
  readonly mounts: readonly CgroupMount[];
  /** v2: the controllers the hierarchy offers; v1: the controllers mounted. */
  readonly controllers: readonly string[];
}

export interface CgroupsProbeOptions {
  readonly mountinfoPath?: string;
  readonly root?: string;
}

/** A file every fresh child group has: v1 memory's limit, v2's member list. */
export function cgroupControlFile(version: 1 | 2): string {
  return version === 1 ? 'memory.limit_in_bytes' : 'cgroup.procs';
}

/** cgroups we can use: mounted, and a child group can be created (with its control files) and removed. */
export async function probeCgroups(options: CgroupsProbeOptions = {}): Promise<CgroupsProbe> {
  const name = 'cgroups';
  const mountinfoPath = options.mountinfoPath ?? '/proc/self/mountinfo';
  const none = { name, available: false, version: undefined, hierarchy: undefined, hybrid: false, controllers: [] } as const;
  let mounts: CgroupMount[];
  try {
    mounts = parseCgroupMounts(await readFile(mountinfoPath, 'utf8'));
  } catch (error) {
    return { ...none, mounts: [], reason: `cannot read mounts from '${mountinfoPath}': ${describeError(error)}` };
  }
  const layout = cgroupLayout(mounts, options.root ?? CGROUP_ROOT);
  if (layout === undefined) {
    return { ...none, mounts, reason: `no cgroup hierarchy is mounted (no cgroup or cgroup2 entry in '${mountinfoPath}')` };
  }
  const { version, hierarchy, hybrid } = layout;
  const controllers =
    version === 2
      ? (await readFile(join(hierarchy, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/).filter((c) => c !== '')
      : mounts.flatMap((mount) => (mount.version === 1 ? mount.controllers : []));
  const found = { name, version, hierarchy, hybrid, mounts, controllers };
  const child = join(hierarchy, `ts-mesos-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(child);
  } catch (error) {
    return { ...found, available: false, reason: `cgroups v${version} at ${hierarchy}: cannot create child group '${child}': ${describeError(error)}` };
  }
  const controlFile = join(child, cgroupControlFile(version));
  const hasControlFile = await stat(controlFile).then(
    () => true,
    () => false,
  );
  try {
    await rmdir(child);
  } catch (error) {
    return { ...found, available: false, reason: `cgroups v${version} at ${hierarchy}: cannot remove child group '${child}': ${describeError(error)}` };
  }
  if (!hasControlFile) {
    return { ...found, available: false, reason: `cgroups v${version} at ${hierarchy}: child group was created without '${cgroupControlFile(version)}'` };
  }
  const where = hybrid ? `${hierarchy} (hybrid: v2 also mounted)` : hierarchy;
  return { ...found, available: true, reason: `cgroups v${version} at ${where}; child groups can be created and removed` };
}
