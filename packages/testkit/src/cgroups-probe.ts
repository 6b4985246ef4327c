import { access, mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { found, missing, type ServiceProbe } from './service-probe.js';

export interface CgroupsProbe extends ServiceProbe {
  readonly version: 1 | 2 | undefined;
  /** v2: the unified hierarchy; v1: the memory controller's hierarchy. */
  readonly root: string | undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Which cgroup version is mounted under `base`, judged by what the kernel put there. */
export async function cgroupVersion(base = '/sys/fs/cgroup'): Promise<1 | 2 | undefined> {
  if (await exists(join(base, 'cgroup.controllers'))) return 2;
  if ((await stat(join(base, 'memory')).catch(() => undefined))?.isDirectory() === true) return 1;
  return undefined;
}

/** cgroups we can use: mounted, and a child group can be created and removed. */
export async function probeCgroups(base = '/sys/fs/cgroup'): Promise<CgroupsProbe> {
  const version = await cgroupVersion(base);
  if (version === undefined) return { ...missing('cgroups', `no cgroup hierarchy mounted at ${base}`), version, root: undefined };
  const root = version === 2 ? base : join(base, 'memory');
  const child = join(root, `ts-mesos-probe-${process.pid}`);
  try {
    await mkdir(child);
    const hasMemoryFile = await readFile(join(child, version === 2 ? 'cgroup.procs' : 'memory.limit_in_bytes')).then(
      () => true,
      () => false,
    );
    await rmdir(child);
    if (!hasMemoryFile) return { ...missing('cgroups', `cgroup ${child} was created without its control files`), version, root };
    return { ...found('cgroups', `v${version} at ${root}; child groups can be created`), version, root };
  } catch (error) {
    await rmdir(child).catch(() => undefined);
    const why = error instanceof Error ? error.message : String(error);
    return { ...missing('cgroups', `cgroups v${version} at ${root} are not writable: ${why}`), version, root };
  }
}
