// A real network partition: the agent runs on a test host (a network namespace joined to this
// machine by a veth pair, made by the test), the master here. Taking the link down past the
// master's ping timeouts drops every packet both ways, as a cut cable would; bringing it up
// heals it. partition.test.ts freezes the agent instead, for machines without namespaces.
import { join } from 'node:path';
import { describeWithService, probeNetworkNamespaces } from '@ts-mesos/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';
import { agentState } from './example-executor.js';
import { TestHost } from './test-host.js';

const namespaces = await probeNetworkNamespaces();

describeWithService(namespaces, 'an agent on a test host cut off by its network link and reconnected', () => {
  const host = new TestHost();
  let master: Daemon;
  let agent: Daemon;
  const frameworks: TestFramework[] = [];

  beforeAll(async () => {
    host.create();
    const dir = tempDir('partition-netns-');
    master = await startDaemon('mesos-master', { ip: host.localAddress, port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms', agent_ping_timeout: '500ms', max_agent_ping_timeouts: 4 }, '/health');
    agent = await startDaemon('mesos-agent', { ip: host.hostAddress, port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:512;disk:100', registration_backoff_factor: '100ms' }, '/slave(1)/health', { netns: host.name });
  });

  afterAll(async () => {
    try {
      if (host.exists) host.heal();
      await Promise.all(frameworks.map((f) => f.scheduler.teardown().catch(() => f.scheduler.stop())));
      await agent?.stop();
      await master?.stop();
    } finally {
      // Whatever failed above (or in beforeAll), the namespace, its processes and the route go.
      host.remove();
    }
  });

  async function runSleeper(name: string, capabilities: { type: string }[]): Promise<TestFramework> {
    const framework = new TestFramework(master.address, { name, capabilities }).start();
    frameworks.push(framework);
    await framework.runSleeper(name);
    return framework;
  }

  it('TASK_UNREACHABLE (or TASK_LOST) past the ping timeouts; once the link is back the agent re-registers and reconciliation finds the partition-aware task running', async () => {
    const aware = await runSleeper('aware', [{ type: 'PARTITION_AWARE' }]);
    const plain = await runSleeper('plain', []);

    const cutAt = Date.now();
    host.cut();
    const unreachable = await aware.update('aware', 'TASK_UNREACHABLE');
    const detectedMs = Date.now() - cutAt;
    expect(unreachable.type === 'UPDATE' && unreachable.update!.status.reason).toBe('REASON_AGENT_REMOVED');
    await plain.update('plain', 'TASK_LOST');
    // 4 pings of 500 ms went unanswered.
    expect(detectedMs).toBeGreaterThanOrEqual(1500);

    const healedAt = Date.now();
    host.heal();
    const metric = async (name: string): Promise<number> => ((await (await fetch(`${master.url}/metrics/snapshot`)).json()) as Record<string, number>)[name] ?? 0;
    await until('the agent to be active again', 20_000, async () => ((await metric('master/slaves_active')) === 1 ? true : undefined));
    const rejoinedMs = Date.now() - healedAt;
    console.log(`link cut -> TASK_UNREACHABLE in ${detectedMs} ms; link up -> agent active again in ${rejoinedMs} ms`);

    const from = aware.notices.length;
    await aware.scheduler.reconcile([{ taskId: 'aware' }]);
    const answer = await aware.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'aware' && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
    expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');

    // The plain framework's task was already reported lost: the agent shuts it down.
    const running = await until('the lost task to be shut down', 10_000, async () => {
      const ids = (await agentState(agent)).frameworks.flatMap((f) => f.executors).filter((e) => e.tasks.some((t) => t.state === 'TASK_RUNNING')).map((e) => e.id);
      return ids.includes('plain') ? undefined : ids;
    });
    expect(running).toEqual(['aware']);
  });
});
