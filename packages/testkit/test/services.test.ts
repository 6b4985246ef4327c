// Integration tests against the real services `tools/services --zk-ensemble` starts. Under
// CI=true a missing service fails its block; elsewhere the block is skipped with a reason.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  cgroupControlFile,
  demuxDockerLogs,
  describeWithService,
  dockerJson,
  dockerRequest,
  fourLetterWord,
  parseServerMode,
  probeCgroups,
  probeDocker,
  probeZooKeeper,
  probeZooKeeperEnsemble,
  TEST_IMAGE,
} from '../src/index.js';

const [zookeeper, ensemble, docker, cgroups] = await Promise.all([probeZooKeeper(), probeZooKeeperEnsemble(), probeDocker(), probeCgroups()]);

describeWithService(zookeeper, 'ZooKeeper standalone', () => {
  it('answers ruok with imok and runs standalone', async () => {
    const [address] = zookeeper.connect.split(',');
    expect(await fourLetterWord(address!, 'ruok')).toBe('imok');
    expect(parseServerMode(await fourLetterWord(address!, 'srvr'))).toBe('standalone');
  });
});

describeWithService(ensemble, 'ZooKeeper ensemble', () => {
  it('has three members, exactly one of them the leader', async () => {
    const members = ensemble.connect.split(',');
    expect(members).toHaveLength(3);
    const modes = await Promise.all(members.map(async (member) => parseServerMode(await fourLetterWord(member, 'mntr'))));
    expect(modes.filter((mode) => mode === 'leader')).toHaveLength(1);
    expect(modes.filter((mode) => mode === 'follower')).toHaveLength(2);
  });
});

describeWithService(docker, 'Docker engine', () => {
  it('has the test image', async () => {
    const image = dockerJson(await dockerRequest('GET', `/images/${TEST_IMAGE}/json`), 'inspect image') as { RepoTags?: string[] };
    expect(image.RepoTags).toContain(TEST_IMAGE);
  });

  it('runs echo in a container from the test image and returns its output and exit code', async () => {
    const marker = `ts-mesos ${randomBytes(4).toString('hex')}`;
    const created = await dockerRequest('POST', '/containers/create', {
      body: {
        Image: TEST_IMAGE,
        Cmd: ['/bin/sh', '-c', `echo '${marker}'; echo to-stderr >&2; exit 3`],
        // Bridge networking is unavailable here (dockerd runs with --bridge=none).
        HostConfig: { NetworkMode: 'none' },
      },
    });
    expect(created.status, created.body.toString()).toBe(201);
    const { Id: id } = dockerJson(created, 'create container') as { Id: string };
    try {
      const started = await dockerRequest('POST', `/containers/${id}/start`);
      expect(started.status, started.body.toString()).toBe(204);
      const waited = await dockerRequest('POST', `/containers/${id}/wait`, { timeoutMs: 20_000 });
      expect(dockerJson(waited, 'wait container')).toMatchObject({ StatusCode: 3 });
      const logs = await dockerRequest('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
      expect(demuxDockerLogs(logs.body)).toEqual({ stdout: `${marker}\n`, stderr: 'to-stderr\n' });
    } finally {
      const removed = await dockerRequest('DELETE', `/containers/${id}?force=1`);
      expect(removed.status, removed.body.toString()).toBe(204);
    }
    expect((await dockerRequest('GET', `/containers/${id}/json`)).status).toBe(404);
  });
});

describeWithService(cgroups, 'cgroups', () => {
  it('lets us create a child group, use its control files, and remove it', async () => {
    const version = cgroups.version!;
    const child = join(cgroups.hierarchy!, `ts-mesos-testkit-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(child);
    try {
      expect((await stat(join(child, cgroupControlFile(version)))).isFile()).toBe(true);
      if (version === 1) {
        // v1 memory controller: set a limit and read it back (the kernel rounds to pages).
        await writeFile(join(child, 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
        expect(Number(await readFile(join(child, 'memory.limit_in_bytes'), 'utf8'))).toBe(64 * 1024 * 1024);
      } else {
        expect(await readFile(join(child, 'cgroup.procs'), 'utf8')).toBe('');
      }
    } finally {
      await rmdir(child);
    }
    await expect(stat(child)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
