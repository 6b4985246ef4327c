// A partition between master and agent, made by freezing the agent process (SIGSTOP) past the
// master's ping timeouts and thawing it (SIGCONT): no network namespaces are needed, and the
// agent's connection stays open, so what heals it is the agent noticing the master's silence.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';


describe('an agent partitioned away and back, with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  const frameworks: TestFramework[] = [];

  beforeAll(async () => {
    const dir = tempDir('partition-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms', agent_ping_timeout: '500ms', max_agent_ping_timeouts: 4 }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:512;disk:100', registration_backoff_factor: '100ms' }, '/slave(1)/health');
  });

  afterAll(async () => {
    agent?.process.kill('SIGCONT');
    await Promise.all(frameworks.map((f) => f.scheduler.teardown().catch(() => f.scheduler.stop())));
    await agent?.stop();
    await master?.stop();
  });

  async function runSleeper(name: string, capabilities: { type: string }[]): Promise<TestFramework> {
    const framework = new TestFramework(master.address, { name, capabilities }).start();
    frameworks.push(framework);
    await framework.runSleeper(name);
    return framework;
  }

  it('reports TASK_UNREACHABLE to partition-aware frameworks and TASK_LOST to others; on healing the first task runs on, the other is shut down', async () => {
    const aware = await runSleeper('aware', [{ type: 'PARTITION_AWARE' }]);
    const plain = await runSleeper('plain', []);

    agent.process.kill('SIGSTOP');
    const unreachable = await aware.update('aware', 'TASK_UNREACHABLE');
    expect(unreachable.type === 'UPDATE' && unreachable.update!.status.reason).toBe('REASON_AGENT_REMOVED');
    await plain.update('plain', 'TASK_LOST');
    agent.process.kill('SIGCONT');

    // The agent hears no pings, registers again, and the master takes it back.
    const metric = async (name: string): Promise<number> => ((await (await fetch(`${master.url}/metrics/snapshot`)).json()) as Record<string, number>)[name] ?? 0;
    for (let i = 0; i < 300 && (await metric('master/slaves_active')) < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await metric('master/slaves_active')).toBe(1);

    const from = aware.notices.length;
    await aware.scheduler.reconcile([{ taskId: 'aware' }]);
    const answer = await aware.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'aware' && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
    expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');

    // The plain framework's task was already reported lost: the agent shuts it down.
    const runningOnAgent = async (): Promise<string[]> => {
      const state = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; tasks: { state: string }[] }[] }[] };
      return state.frameworks.flatMap((f) => f.executors).filter((e) => e.tasks.some((t) => t.state === 'TASK_RUNNING')).map((e) => e.id);
    };
    for (let i = 0; i < 200 && (await runningOnAgent()).includes('plain'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await runningOnAgent()).toEqual(['aware']);
  });
});
