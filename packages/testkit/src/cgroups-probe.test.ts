import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeCgroups } from './cgroups-probe.js';

// The probe is pointed at a mountinfo file naming a plain temp dir as the hierarchy: creating
// and removing a child works there, but the kernel adds no control files, which the probe notices.
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'testkit-cgroups-'));
  dirs.push(dir);
  return dir;
}

describe('probeCgroups', () => {
  it('notices a "hierarchy" that is not a cgroup file system, and leaves nothing behind', async () => {
    const dir = await scratch();
    const hierarchy = join(dir, 'cg');
    await mkdir(hierarchy);
    await writeFile(join(hierarchy, 'cgroup.controllers'), 'cpu memory pids\n');
    const mountinfo = join(dir, 'mountinfo');
    await writeFile(mountinfo, `50 1 0:40 / ${hierarchy} rw - cgroup2 none rw\n`);
    const probe = await probeCgroups({ mountinfoPath: mountinfo, root: hierarchy });
    expect(probe).toMatchObject({ available: false, version: 2, hierarchy, controllers: ['cpu', 'memory', 'pids'] });
    expect(probe.reason).toBe(`cgroups v2 at ${hierarchy}: child group was created without 'cgroup.procs'`);
    expect(await readdir(hierarchy)).toEqual(['cgroup.controllers']);
  });

  it('says when nothing is mounted', async () => {
    const dir = await scratch();
    const mountinfo = join(dir, 'mountinfo');
    await writeFile(mountinfo, '60 1 8:1 / / rw - ext4 /dev/sda1 rw\n');
    const probe = await probeCgroups({ mountinfoPath: mountinfo });
    expect(probe).toMatchObject({ available: false, version: undefined, mounts: [] });
    expect(probe.reason).toBe(`no cgroup hierarchy is mounted (no cgroup or cgroup2 entry in '${mountinfo}')`);
  });

  it('says when the mount table cannot be read', async () => {
    const probe = await probeCgroups({ mountinfoPath: '/nonexistent/mountinfo' });
    expect(probe.reason).toBe("cannot read mounts from '/nonexistent/mountinfo': ENOENT");
  });
});
