// A custom executor across an agent kill -9 (docs/executor-http-api.md, "Disconnections" and
// "Agent Recovery"): the example executor keeps its tasks running while the agent is away,
// subscribes again with the updates the agent has not acknowledged, and the restarted agent
// takes it back before it registers with the master.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';
import { agentState, launchOnExecutor, processesIn, sandboxFile, sandboxOf, tearDown } from './example-executor.js';

describe('a custom executor across an agent kill -9, with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let flags: Record<string, string | number>;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('executor-recovery-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    flags = { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:1;mem:512;disk:100', registration_backoff_factor: '100ms' };
    agent = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'keeper', failover_timeout: 300 }).start();
  });

  afterAll(async () => {
    if (framework !== undefined) await tearDown(framework, agent);
    await agent?.stop();
    await master?.stop();
  });

  it('keeps the executor through the restart: it subscribes again, a task that finished meanwhile reports once, and a kill still works', async () => {
    await framework.next((n) => n.type === 'SUBSCRIBED');
    const offer = await launchOnExecutor(framework, undefined, 'keeper', [
      { id: 'long', data: 'wait' },
      { id: 'short', data: 'sleep 2' },
    ]);
    await framework.update('long', 'TASK_RUNNING');
    await framework.update('short', 'TASK_RUNNING');
    const sandbox = await sandboxOf(agent, 'keeper');
    const executorPids = processesIn(sandbox);
    expect(executorPids.length).toBeGreaterThan(0);

    await agent.stop('SIGKILL');
    const afterKill = framework.notices.length;
    // The short task ends while no agent is there: the executor keeps the update for its next SUBSCRIBE.
    await until('the short task to finish in the executor', 10_000, () => Promise.resolve(sandboxFile(sandbox, 'stdout').includes('task short finished') ? true : undefined));
    expect(framework.notices.slice(afterKill).some((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'short')).toBe(false);

    const restartedAt = Date.now();
    agent = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    const healthyAt = Date.now();
    const finished = await framework.update('short', 'TASK_FINISHED', afterKill);
    expect(finished.type === 'UPDATE' && finished.update!.status.message).toBe('done: sleep 2');
    console.log(`agent restarted: answering in ${healthyAt - restartedAt} ms; then the executor subscribed again and TASK_FINISHED reached the framework in ${Date.now() - healthyAt} ms`);

    // The same executor processes, subscribed a second time; the long task still runs on them.
    expect(sandboxFile(sandbox, 'stdout').match(/^subscribed to agent /gm)).toHaveLength(2);
    expect(processesIn(sandbox).sort()).toEqual(executorPids.sort());
    // Once the framework acknowledged TASK_FINISHED, the long task is the executor's only one.
    const keeper = await until('the finished task to be acknowledged', 10_000, async () => {
      const state = await agentState(agent);
      expect(state.id).toBe(offer.agent_id.value);
      const executor = state.frameworks.flatMap((f) => f.executors).find((e) => e.id === 'keeper');
      return executor?.tasks.length === 1 ? executor : undefined;
    });
    expect(keeper.type).toBe('CUSTOM');
    expect(keeper.tasks.map((t) => [t.id, t.state])).toEqual([['long', 'TASK_RUNNING']]);
    const from = framework.notices.length;
    await framework.scheduler.reconcile([{ taskId: 'long' }]);
    const answer = await framework.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'long' && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
    expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');

    await framework.scheduler.kill('long', offer.agent_id.value);
    const killed = await framework.update('long', 'TASK_KILLED', afterKill);
    expect(killed.type === 'UPDATE' && killed.update!.status.message).toBe('killed on request');

    // Nothing lost, nothing new twice: each (task, state) reached the framework under one uuid.
    const uuids = new Map<string, Set<string>>();
    for (const n of framework.notices) {
      if (n.type !== 'UPDATE' || n.update!.status.reason === 'REASON_RECONCILIATION') continue;
      const key = `${n.update!.status.task_id.value}:${n.update!.status.state}`;
      uuids.set(key, (uuids.get(key) ?? new Set()).add(n.update!.status.uuid ?? ''));
    }
    expect([...uuids.keys()].sort()).toEqual(['long:TASK_KILLED', 'long:TASK_RUNNING', 'short:TASK_FINISHED', 'short:TASK_RUNNING']);
    expect([...uuids].filter(([, set]) => set.size > 1)).toEqual([]);
  });
});
