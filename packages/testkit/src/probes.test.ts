import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupVersion, demuxLogs, parseMode, probeZooKeeper, splitHostPort } from './index.js';

describe('probe parsing', () => {
  it('reads the mode from a srvr answer', () => {
    expect(parseMode('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n')).toBe('follower');
    expect(parseMode('Zookeeper version: 3.8.0\n')).toBeUndefined();
  });

  it('splits host:port and rejects malformed addresses', () => {
    expect(splitHostPort('127.0.0.1:2181')).toEqual({ host: '127.0.0.1', port: 2181 });
    expect(() => splitHostPort('127.0.0.1')).toThrow("Invalid address '127.0.0.1'");
    expect(() => splitHostPort('host:99999')).toThrow(/Invalid address/);
  });

  it('demultiplexes a Docker log stream into stdout and stderr', () => {
    const frame = (stream: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err\n'), frame(1, 'out 2\n')]))).toEqual({
      stdout: 'out 1\nout 2\n',
      stderr: 'err\n',
    });
  });

  it('tells cgroup v1 from v2 by what is mounted', async () => {
    const v2 = await mkdtemp(join(tmpdir(), 'cg2-'));
    await writeFile(join(v2, 'cgroup.controllers'), 'cpu memory pids\n');
    const v1 = await mkdtemp(join(tmpdir(), 'cg1-'));
    await mkdir(join(v1, 'memory'));
    const none = await mkdtemp(join(tmpdir(), 'cg0-'));
    expect(await cgroupVersion(v2)).toBe(2);
    expect(await cgroupVersion(v1)).toBe(1);
    expect(await cgroupVersion(none)).toBeUndefined();
  });

  it('reports an unreachable ZooKeeper with the reason', async () => {
    const probe = await probeZooKeeper('127.0.0.1:1');
    expect(probe.available).toBe(false);
    expect(probe.reason).toMatch(/^ZooKeeper at 127\.0\.0\.1:1 is not usable: .*ECONNREFUSED/);
  });
});
