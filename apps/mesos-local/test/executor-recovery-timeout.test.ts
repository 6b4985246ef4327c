// Custom executors whose agent does not come back in time: one whose agent stays away past
// --recovery_timeout shuts itself down (docs/executor-http-api.md, "Disconnections"); one that
// does not subscribe again within --executor_reregistration_timeout of the agent's restart is
// destroyed and its tasks are lost (Mesos's Slave::reregisterExecutorTimeout).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';
import { agentState, launchOnExecutor, processesIn, sandboxFile, sandboxOf, tearDown } from './example-executor.js';

describe('custom executors whose agent does not come back in time, with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let flags: Record<string, string | number>;
  let framework: TestFramework;
  const frozen: number[] = [];

  beforeAll(async () => {
    const dir = tempDir('executor-recovery-timeout-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    flags = { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:1;mem:512;disk:100', registration_backoff_factor: '100ms', recovery_timeout: '2secs', executor_reregistration_timeout: '1secs' };
    agent = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'quitters', failover_timeout: 300 }).start();
  });

  afterAll(async () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // destroyed by the agent, as it should be
      }
    }
    if (framework !== undefined) await tearDown(framework, agent);
    await agent?.stop();
    await master?.stop();
  });

  it('the executor exits by itself past --recovery_timeout; the one that does not subscribe again is destroyed and its task lost', async () => {
    await framework.next((n) => n.type === 'SUBSCRIBED');
    await launchOnExecutor(framework, undefined, 'quitter', [{ id: 'patient', data: 'wait' }]);
    await launchOnExecutor(framework, undefined, 'frozen', [{ id: 'stuck', data: 'wait' }]);
    await framework.update('patient', 'TASK_RUNNING');
    await framework.update('stuck', 'TASK_RUNNING');
    const agentId = (await agentState(agent)).id;
    const quitter = await sandboxOf(agent, 'quitter');
    const stuck = await sandboxOf(agent, 'frozen');

    await agent.stop('SIGKILL');
    const afterKill = framework.notices.length;
    const goneAt = Date.now();
    // 'frozen' can do nothing at all: it will not subscribe again.
    for (const pid of processesIn(stuck)) {
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
    }
    await until('the quitter to exit by itself', 10_000, () => Promise.resolve(processesIn(quitter).length === 0 ? true : undefined));
    const exitedMs = Date.now() - goneAt;
    expect(exitedMs).toBeGreaterThanOrEqual(1500);
    expect(sandboxFile(quitter, 'stderr')).toContain('within the recovery timeout');
    console.log(`agent gone -> the executor exited by itself in ${exitedMs} ms (--recovery_timeout=2secs)`);

    agent = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    // The quitter's container ended while the agent was away: its task failed with it.
    const failed = await framework.update('patient', 'TASK_FAILED', afterKill);
    expect(failed.type === 'UPDATE' && failed.update!.status.reason).toBe('REASON_EXECUTOR_TERMINATED');
    expect(failed.type === 'UPDATE' && failed.update!.status.message).toContain('exited with status 1');
    // The frozen one is destroyed after --executor_reregistration_timeout; its task is lost (the framework is not partition-aware).
    const lost = await framework.update('stuck', 'TASK_LOST', afterKill);
    expect(lost.type === 'UPDATE' && lost.update!.status.reason).toBe('REASON_EXECUTOR_REREGISTRATION_TIMEOUT');
    await until('the frozen executor to be destroyed', 10_000, () => Promise.resolve(processesIn(stuck).length === 0 ? true : undefined));
    expect((await agentState(agent)).id).toBe(agentId);
  });
});
