import { describe, expect, it } from 'vitest';
import { decide } from './describe-with-service.js';
import { found, missing } from './service-probe.js';

describe('decide', () => {
  const zk = found('ZooKeeper', 'answers at 127.0.0.1:2181');
  const noDocker = missing('Docker', 'Docker at unix:///var/run/docker.sock is not usable: ENOENT');

  it('runs the block when every service is there', () => {
    expect(decide([zk], 'election', { CI: 'true' })).toEqual({ kind: 'run' });
  });

  it('fails under CI=true, naming the missing service and why', () => {
    const decision = decide([zk, noDocker], 'docker tasks', { CI: 'true' });
    expect(decision.kind).toBe('fail');
    expect(decision.kind !== 'run' && decision.message).toBe(
      "'docker tasks' needs Docker: Docker at unix:///var/run/docker.sock is not usable: ENOENT (start them with tools/services --zk-ensemble)",
    );
  });

  it('skips outside CI, saying why', () => {
    for (const env of [{}, { CI: 'false' }]) {
      const decision = decide([noDocker], 'docker tasks', env);
      expect(decision).toEqual({
        kind: 'skip',
        message: "skipped 'docker tasks': Docker at unix:///var/run/docker.sock is not usable: ENOENT (start them with tools/services --zk-ensemble)",
      });
    }
  });
});
