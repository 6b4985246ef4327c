import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';

type Offer = { id: { value: string }; agent_id: { value: string } };
const ROOT = resolve(import.meta.dirname, '../../..');

describe('agent recovery after kill -9, with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let agentFlags: Record<string, string | number>;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('agent-recovery-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agentFlags = { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:4;mem:1024;disk:100', registration_backoff_factor: '100ms' };
    agent = await startDaemon('mesos-agent', agentFlags, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'survivor', failover_timeout: 300 }).start();
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
  });

  it('keeps 50 running tasks across an agent kill -9, and reports the real exit of those that ended meanwhile', async () => {
    const event = await framework.offers();
    const offer = (event.type === 'OFFERS' ? event.offers!.offers[0] : undefined) as Offer;
    const task = (id: string, command: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.05 } }], command: { value: command } });
    const sleepers = Array.from({ length: 48 }, (_, i) => `s${i + 1}`);
    await framework.scheduler.launch([offer.id.value], [...sleepers.map((id) => task(id, 'sleep 600')), task('ok-later', 'sleep 3; exit 0'), task('bad-later', 'sleep 3; exit 7')]);
    for (const id of [...sleepers, 'ok-later', 'bad-later']) await framework.update(id, 'TASK_RUNNING');

    await agent.stop('SIGKILL');
    const afterKill = framework.notices.length;
    // The short tasks end while no agent is there to see it.
    await new Promise((r) => setTimeout(r, 4000));
    agent = await startDaemon('mesos-agent', agentFlags, '/slave(1)/health');

    const ok = await framework.update('ok-later', 'TASK_FINISHED', afterKill);
    expect(ok.type === 'UPDATE' && ok.update!.status.message).toBe('Command exited with status 0');
    const bad = await framework.update('bad-later', 'TASK_FAILED', afterKill);
    expect(bad.type === 'UPDATE' && bad.update!.status.message).toBe('Command exited with status 7');

    // The sleepers still run: the agent re-adopted them and says so, and can still kill one.
    const state = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { id: string; frameworks: { executors: { id: string; tasks: { state: string }[] }[] }[] };
    const running = state.frameworks.flatMap((f) => f.executors).filter((e) => e.tasks[0]?.state === 'TASK_RUNNING').map((e) => e.id);
    expect(running.sort()).toEqual([...sleepers].sort());
    expect(state.id).toBe(offer.agent_id.value);
    const from = framework.notices.length;
    await framework.scheduler.reconcile(sleepers.map((taskId) => ({ taskId })));
    for (const id of sleepers) {
      const answer = await framework.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === id && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
      expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');
    }
    await framework.scheduler.kill('s1');
    await framework.update('s1', 'TASK_KILLED', afterKill);

    // A second kill -9 recovers from the journal the first recovery compacted.
    await agent.stop('SIGKILL');
    agent = await startDaemon('mesos-agent', agentFlags, '/slave(1)/health');
    const again = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; tasks: { state: string }[] }[] }[] };
    const stillRunning = again.frameworks.flatMap((f) => f.executors).filter((e) => e.tasks[0]?.state === 'TASK_RUNNING').map((e) => e.id);
    expect(stillRunning.sort()).toEqual(sleepers.filter((id) => id !== 's1').sort());

    // Nothing was sent twice as new: an update may be delivered again (at least once, as Mesos),
    // but always with the uuid it had; no task reached a state under two uuids.
    const uuids = new Map<string, Set<string>>();
    for (const n of framework.notices) {
      if (n.type !== 'UPDATE' || n.update!.status.reason === 'REASON_RECONCILIATION') continue;
      const key = `${n.update!.status.task_id.value}:${n.update!.status.state}`;
      uuids.set(key, (uuids.get(key) ?? new Set()).add(n.update!.status.uuid ?? ''));
    }
    expect([...uuids].filter(([, set]) => set.size > 1)).toEqual([]);
    expect(uuids.size).toBe(48 + 1 + 4); // every sleeper RUNNING, s1 KILLED, both short tasks RUNNING and then ended
  });

  /** Starts another agent on its own work_dir and runs one task there. */
  async function secondAgentRunning(flags: Record<string, string | number>, taskId: string, command: string): Promise<Daemon> {
    const from = framework.notices.length;
    const second = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    let secondId: string | undefined;
    for (let i = 0; i < 200 && secondId === undefined; i++) {
      secondId = ((await (await fetch(`${second.url}/slave(1)/state`)).json()) as { id?: string }).id;
      if (secondId === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    await framework.scheduler.revive();
    const event = await framework.next((n) => n.type === 'OFFERS' && n.offers!.offers.some((o) => o.agent_id.value === secondId), 15_000, from);
    const offer = (event.type === 'OFFERS' ? event.offers!.offers.find((o) => o.agent_id.value === secondId) : undefined) as Offer;
    await framework.scheduler.launch([offer.id.value], [{ name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.05 } }], command: { value: command } }]);
    await framework.update(taskId, 'TASK_RUNNING');
    return second;
  }

  it('ends a command task whose agent stays away past --recovery_timeout, and reports it when the agent is back', async () => {
    const flags = { ...agentFlags, port: freePort(), work_dir: join(tempDir('agent-recovery-timeout-'), 'agent'), recovery_timeout: '1secs' };
    let second = await secondAgentRunning(flags, 'abandoned', 'sleep 778');
    const sleeping = (): number => processesRunning('sleep\u0000778\u0000');
    await until('the task to exec sleep', 5000, () => Promise.resolve(sleeping() === 1 ? true : undefined));
    const from = framework.notices.length;
    await second.stop('SIGKILL');
    const killedAt = Date.now();
    await until('the abandoned task to be ended', 15_000, () => Promise.resolve(sleeping() === 0 ? true : undefined));
    const endedMs = Date.now() - killedAt;
    expect(endedMs).toBeGreaterThanOrEqual(900);
    console.log(`agent gone -> its command task ended ${endedMs} ms later (--recovery_timeout=1secs)`);
    second = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    const ended = await framework.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'abandoned' && n.update!.status.state !== 'TASK_RUNNING', 15_000, from);
    expect(ended.type === 'UPDATE' && ended.update!.status.state).toBe('TASK_FAILED');
    expect(ended.type === 'UPDATE' && ended.update!.status.message).toContain('SIGTERM');
    await second.stop();
  });

  it('with --recover=cleanup kills what the previous agent left, forgets it, and exits', async () => {
    // A second agent on its own work_dir, with one task, killed with -9.
    const flags = { ...agentFlags, port: freePort(), work_dir: join(tempDir('agent-cleanup-'), 'agent') };
    let second = await secondAgentRunning(flags, 'doomed', 'sleep 777');
    const pidsOfSleep = (): number => processesRunning('sleep\u0000777\u0000');
    // TASK_RUNNING leaves with the fork; the shell may not have become `sleep` yet.
    await until('the task to exec sleep', 5000, () => Promise.resolve(pidsOfSleep() === 1 ? true : undefined));
    await second.stop('SIGKILL');
    expect(pidsOfSleep()).toBe(1); // the task outlives its agent

    const cleanup = spawn(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps', 'mesos-agent', 'src', 'main.ts'), ...Object.entries({ ...flags, recover: 'cleanup' }).map(([k, v]) => `--${k}=${v}`)], { cwd: ROOT, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => cleanup.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(pidsOfSleep()).toBe(0);
    // The next start is a new agent: nothing recovered.
    second = await startDaemon('mesos-agent', flags, '/slave(1)/health');
    const state = (await (await fetch(`${second.url}/slave(1)/state`)).json()) as { frameworks: unknown[] };
    expect(state.frameworks).toEqual([]);
    await second.stop();
  });
});

/** How many processes run with exactly this command line (NUL-separated, as /proc shows it). */
function processesRunning(cmdline: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === cmdline) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}
