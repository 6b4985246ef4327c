import { describe, expect, it } from 'vitest';
import { describeWithService, serviceDecision, type SuiteRegistrar } from './describe-with-service.js';
import type { ServiceProbe } from './service-probe.js';

const zk: ServiceProbe = { name: 'ZooKeeper', available: true, reason: 'ZooKeeper answers at 127.0.0.1:2181 (standalone)' };
const noDocker: ServiceProbe = {
  name: 'Docker',
  available: false,
  reason: 'Docker at unix:///var/run/docker.sock did not answer GET /_ping within 3000 ms: ENOENT',
};

/** Records what describeWithService registers instead of registering it with vitest. */
function recorder(): SuiteRegistrar & { readonly calls: string[]; readonly tests: Map<string, () => void> } {
  const calls: string[] = [];
  const tests = new Map<string, () => void>();
  return {
    calls,
    tests,
    describe: (title, body) => {
      calls.push(`describe ${title}`);
      body();
    },
    skip: (title) => calls.push(`skip ${title}`),
    it: (title, body) => {
      calls.push(`it ${title}`);
      tests.set(title, body);
    },
  };
}

describe('describeWithService', () => {
  it('registers the block as is when every service is available', () => {
    const suite = recorder();
    const lines: string[] = [];
    describeWithService([zk], 'election', () => suite.it('elects', () => undefined), { env: { CI: 'true' }, suite, log: (l) => lines.push(l) });
    expect(suite.calls).toEqual(['describe election', 'it elects']);
    expect(lines).toEqual([]);
  });

  it('under CI=true registers one test that fails with the reason and the command', () => {
    const suite = recorder();
    let bodyRan = false;
    describeWithService([zk, noDocker], 'docker tasks', () => (bodyRan = true), { env: { CI: 'true' }, suite, log: () => undefined });
    expect(bodyRan).toBe(false);
    expect(suite.calls).toEqual(['describe docker tasks', 'it needs Docker']);
    expect(() => suite.tests.get('needs Docker')!()).toThrow(
      "'docker tasks' needs Docker, which is not available under CI=true: " +
        'Docker at unix:///var/run/docker.sock did not answer GET /_ping within 3000 ms: ENOENT' +
        " (start it with 'tools/services --zk-ensemble' as root before the tests)",
    );
  });

  it('outside CI skips the block and says why on one line', () => {
    for (const env of [{}, { CI: 'false' }, { CI: '1' }]) {
      const suite = recorder();
      const lines: string[] = [];
      describeWithService(noDocker, 'docker tasks', () => undefined, { env, suite, log: (l) => lines.push(l) });
      expect(suite.calls).toEqual(['skip docker tasks']);
      expect(lines).toEqual([
        "testkit: skipped 'docker tasks': Docker at unix:///var/run/docker.sock did not answer GET /_ping within 3000 ms: ENOENT" +
          " (run 'tools/services --zk-ensemble' as root to include it)",
      ]);
    }
  });
});

describe('serviceDecision', () => {
  it('names every missing service', () => {
    const noCgroups: ServiceProbe = { name: 'cgroups', available: false, reason: 'no cgroup hierarchy is mounted' };
    const decision = serviceDecision([noDocker, zk, noCgroups], 'agent', { CI: 'true' });
    expect(decision.kind).toBe('fail');
    expect(decision.kind === 'fail' && decision.message).toMatch(/^'agent' needs Docker, cgroups, which is not available/);
  });
});
