import { describe, expect, it } from 'vitest';
import { cgroupLayout, parseCgroupMounts } from './cgroup-mounts.js';

// Trimmed /proc/self/mountinfo from real machines.
const HYBRID = `22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const V1 = `30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
35 30 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
`;
const V2 = `35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('parseCgroupMounts', () => {
  it('finds v1 hierarchies with their controllers, and v2 hierarchies', () => {
    expect(parseCgroupMounts(HYBRID)).toEqual([
      { mountPoint: '/sys/fs/cgroup/cpu', version: 1, controllers: ['cpu'] },
      { mountPoint: '/sys/fs/cgroup/memory', version: 1, controllers: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/pids', version: 1, controllers: ['pids'] },
      { mountPoint: '/sys/fs/cgroup/systemd', version: 1, controllers: ['name=systemd'] },
      { mountPoint: '/sys/fs/cgroup/unified', version: 2, controllers: [] },
    ]);
    expect(parseCgroupMounts(V1)[0]).toEqual({ mountPoint: '/sys/fs/cgroup/cpu,cpuacct', version: 1, controllers: ['cpu', 'cpuacct'] });
  });

  it('unescapes mount points and ignores other file systems', () => {
    expect(parseCgroupMounts('50 1 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw\n60 1 8:1 / / rw - ext4 /dev/sda1 rw\n')).toEqual([
      { mountPoint: '/mnt/my cgroups', version: 2, controllers: [] },
    ]);
  });
});

describe('cgroupLayout', () => {
  it('drives v2 when the unified hierarchy is mounted at the root', () => {
    expect(cgroupLayout(parseCgroupMounts(V2))).toEqual({ version: 2, hierarchy: '/sys/fs/cgroup', hybrid: false });
  });

  it('drives v1 through the memory hierarchy, noting a hybrid mount', () => {
    expect(cgroupLayout(parseCgroupMounts(V1))).toEqual({ version: 1, hierarchy: '/sys/fs/cgroup/memory', hybrid: false });
    expect(cgroupLayout(parseCgroupMounts(HYBRID))).toEqual({ version: 1, hierarchy: '/sys/fs/cgroup/memory', hybrid: true });
  });

  it('falls back to a v2 hierarchy elsewhere, and to nothing', () => {
    expect(cgroupLayout(parseCgroupMounts('50 1 0:40 / /mnt/cg rw - cgroup2 none rw\n'))).toEqual({ version: 2, hierarchy: '/mnt/cg', hybrid: false });
    expect(cgroupLayout([])).toBeUndefined();
  });
});
