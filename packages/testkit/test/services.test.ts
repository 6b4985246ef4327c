import { readdir } from 'node:fs/promises';
import { expect, it } from 'vitest';
import {
  demuxLogs,
  describeWithService,
  dockerRequest,
  fourLetterWord,
  parseMode,
  probeCgroups,
  probeDocker,
  probeZooKeeper,
  probeZooKeeperEnsemble,
  TEST_IMAGE,
} from '../src/index.js';

// These run against the real services started by `tools/services --zk-ensemble`.
const zookeeper = await probeZooKeeper();
const ensemble = await probeZooKeeperEnsemble();
const docker = await probeDocker();
const cgroups = await probeCgroups();

describeWithService(zookeeper, 'ZooKeeper standalone', () => {
  it('answers ruok and runs standalone', async () => {
    expect(await fourLetterWord(zookeeper.connect, 'ruok')).toBe('imok');
    expect(parseMode(await fourLetterWord(zookeeper.connect, 'srvr'))).toBe('standalone');
  });
});

describeWithService(ensemble, 'ZooKeeper ensemble', () => {
  it('has three members and exactly one leader', async () => {
    const members = ensemble.connect.split(',');
    expect(members).toHaveLength(3);
    const modes = await Promise.all(members.map(async (m) => parseMode(await fourLetterWord(m, 'srvr'))));
    expect(modes.filter((mode) => mode === 'leader')).toHaveLength(1);
    expect(modes.filter((mode) => mode === 'follower')).toHaveLength(2);
  });
});

describeWithService(docker, 'Docker engine', () => {
  it('runs a container from the local test image and returns its output', async () => {
    const create = await dockerRequest('POST', '/containers/create', {
      Image: TEST_IMAGE,
      Cmd: ['/bin/sh', '-c', 'echo hello from busybox; echo oops >&2; exit 3'],
      HostConfig: { NetworkMode: 'none' },
    });
    expect(create.status).toBe(201);
    const id = (JSON.parse(create.body.toString()) as { Id: string }).Id;
    try {
      expect((await dockerRequest('POST', `/containers/${id}/start`)).status).toBe(204);
      const wait = await dockerRequest('POST', `/containers/${id}/wait`);
      expect(JSON.parse(wait.body.toString())).toMatchObject({ StatusCode: 3 });
      const logs = await dockerRequest('GET', `/containers/${id}/logs?stdout=1&stderr=1`);
      expect(demuxLogs(logs.body)).toEqual({ stdout: 'hello from busybox\n', stderr: 'oops\n' });
    } finally {
      await dockerRequest('DELETE', `/containers/${id}?force=1`);
    }
    expect((await dockerRequest('GET', `/containers/${id}/json`)).status).toBe(404);
  });
});

describeWithService(cgroups, 'cgroups', () => {
  it('are mounted with a memory controller we can create groups in', async () => {
    expect(cgroups.version === 1 || cgroups.version === 2).toBe(true);
    const entries = await readdir(cgroups.root!);
    expect(entries).toContain(cgroups.version === 2 ? 'cgroup.controllers' : 'memory.limit_in_bytes');
    expect(entries.filter((e) => e.startsWith('ts-mesos-probe-'))).toEqual([]);
  });
});
