import { CGROUP_ROOT } from './service-addresses.js';

/** One mounted cgroup hierarchy, from `/proc/self/mountinfo`. */
export interface CgroupMount {
  readonly mountPoint: string;
  readonly version: 1 | 2;
  /** v1: the controllers bound to this hierarchy (`memory`, `cpu`, `name=systemd`); v2: empty (see `cgroup.controllers`). */
  readonly controllers: readonly string[];
}

/** Which cgroup version a containerizer should drive here, and where. */
export interface CgroupLayout {
  readonly version: 1 | 2;
  /**
   * Where child groups go: v1, the memory controller's hierarchy (the one every Mesos
   * isolator needs); v2, the unified hierarchy.
   */
  readonly hierarchy: string;
  /** v1 controllers with a v2 hierarchy mounted beside them (systemd's "hybrid" mode). */
  readonly hybrid: boolean;
}

const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'misc', 'net_cls', 'net_prio', 'perf_event', 'pids', 'rdma',
]);

/** Undoes mountinfo's octal escapes (`\040` for a space). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * The cgroup mounts in a `/proc/<pid>/mountinfo` text. Each line is
 * `id parent major:minor root mount-point options [optional...] - fstype source super-options`
 * (proc(5)); v1 hierarchies name their controllers in the super-options.
 */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined) continue;
    const mountPoint = before.split(' ')[4];
    const [fsType, , superOptions = ''] = after.split(' ');
    if (mountPoint === undefined) continue;
    if (fsType === 'cgroup2') {
      mounts.push({ mountPoint: unescapeMountPath(mountPoint), version: 2, controllers: [] });
    } else if (fsType === 'cgroup') {
      const controllers = superOptions.split(',').filter((option) => V1_CONTROLLERS.has(option) || option.startsWith('name='));
      mounts.push({ mountPoint: unescapeMountPath(mountPoint), version: 1, controllers });
    }
  }
  return mounts;
}

/**
 * v2 when the unified hierarchy is mounted at `root`; v1 when a v1 memory controller is
 * mounted (even with a v2 hierarchy beside it); else v2 wherever one is mounted.
 */
export function cgroupLayout(mounts: readonly CgroupMount[], root = CGROUP_ROOT): CgroupLayout | undefined {
  const unified = mounts.filter((mount) => mount.version === 2);
  const atRoot = unified.find((mount) => mount.mountPoint === root);
  if (atRoot !== undefined) return { version: 2, hierarchy: atRoot.mountPoint, hybrid: false };
  const memory = mounts.find((mount) => mount.version === 1 && mount.controllers.includes('memory'));
  if (memory !== undefined) return { version: 1, hierarchy: memory.mountPoint, hybrid: unified.length > 0 };
  const first = unified[0];
  return first === undefined ? undefined : { version: 2, hierarchy: first.mountPoint, hybrid: false };
}
