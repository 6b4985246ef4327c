import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '@ts-mesos/protocol';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';
import { tearDown } from './example-executor.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const EXAMPLE_EXECUTOR = `${process.execPath} ${join(ROOT, 'apps', 'example-executor', 'bin', 'example-executor.js')}`;

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const text = (base64: string | undefined): string => Buffer.from(base64 ?? '', 'base64').toString('utf8');
const cpusMem = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
];

describe('custom executors over the v1 Executor API with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;
  let agentId: string;

  /** Launches tasks for `executorId` (running `command`) on the next offer. */
  async function launch(tasks: { id: string; data?: string }[], executorId: string, command: string): Promise<void> {
    await framework.next((n) => n.type === 'SUBSCRIBED');
    // The tasks and, beside them, their executor (Mesos wants both to fit the offer).
    const scalar = (o: Offer, name: string): number => o.resources.find((r) => r.name === name)?.scalar?.value ?? 0;
    const offer = await framework.freshOffer((o) => scalar(o, 'cpus') >= 0.1 * (tasks.length + 1) - 1e-9 && scalar(o, 'mem') >= 32 * (tasks.length + 1));
    agentId = offer.agent_id.value;
    const executor = { executor_id: { value: executorId }, command: { value: command }, resources: cpusMem };
    await framework.scheduler.launch(
      [offer.id.value],
      tasks.map((t) => ({ name: t.id, task_id: { value: t.id }, agent_id: offer.agent_id, resources: cpusMem, executor, ...(t.data === undefined ? {} : { data: b64(t.data) }) })),
      { refuse_seconds: 0 },
    );
  }

  beforeAll(async () => {
    const dir = tempDir('custom-executor-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:4;mem:2048;disk:100', executor_registration_timeout: '3secs' }, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'custom' }).start();
  });

  afterAll(async () => {
    if (framework !== undefined) await tearDown(framework, agent);
    await agent?.stop();
    await master?.stop();
  });

  it('runs tasks on the example executor: updates, messages both ways, kill, and a second task on the same executor', async () => {
    await launch([{ id: 'quick', data: 'hello' }], 'echo', EXAMPLE_EXECUTOR);
    await framework.update('quick', 'TASK_RUNNING');
    const finished = await framework.update('quick', 'TASK_FINISHED');
    expect(finished.type === 'UPDATE' && finished.update!.status.message).toBe('done: hello');
    expect(finished.type === 'UPDATE' && finished.update!.status.executor_id?.value).toBe('echo');
    const said = await framework.next((n) => n.type === 'MESSAGE');
    expect(said.type === 'MESSAGE' && text(said.message!.data)).toBe('finished quick: hello');
    expect(said.type === 'MESSAGE' && said.message!.executor_id.value).toBe('echo');

    // The executor is still running: the next task for it goes straight to it.
    await launch([{ id: 'waiter', data: 'wait' }], 'echo', EXAMPLE_EXECUTOR);
    await framework.update('waiter', 'TASK_RUNNING');
    const state = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; type: string; tasks: { id: string }[] }[] }[] };
    const echo = state.frameworks[0]!.executors.find((e) => e.id === 'echo')!;
    expect(echo.type).toBe('CUSTOM');
    expect(echo.tasks.map((t) => t.id)).toEqual(['waiter']);

    const from = framework.notices.length;
    await framework.scheduler.message(agentId, 'echo', b64('ping'));
    const echoed = await framework.next((n) => n.type === 'MESSAGE' && text(n.message!.data).startsWith('echo:'), 15_000, from);
    expect(echoed.type === 'MESSAGE' && text(echoed.message!.data)).toBe('echo: ping');

    await framework.scheduler.kill('waiter', agentId);
    const killed = await framework.update('waiter', 'TASK_KILLED');
    expect(killed.type === 'UPDATE' && killed.update!.status.message).toBe('killed on request');
  });

  it('fails the tasks of an executor that never subscribes (--executor_registration_timeout) or that exits', async () => {
    await launch([{ id: 'never' }], 'silent', 'sleep 60');
    const timedOut = await framework.update('never', 'TASK_FAILED');
    expect(timedOut.type === 'UPDATE' && timedOut.update!.status.reason).toBe('REASON_EXECUTOR_REGISTRATION_TIMEOUT');

    await launch([{ id: 'doomed' }], 'crasher', 'echo going away; exit 3');
    const failed = await framework.update('doomed', 'TASK_FAILED');
    expect(failed.type === 'UPDATE' && failed.update!.status.reason).toBe('REASON_EXECUTOR_TERMINATED');
    expect(failed.type === 'UPDATE' && failed.update!.status.message).toContain('exited with status 3');

    // The agent tells the master each ended executor, whose resources it then offers again: of
    // the three launched, only the example executor still holds any.
    const executors = async (): Promise<string[]> => {
      const response = await fetch(`${master.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"GET_EXECUTORS"}' });
      const body = (await response.json()) as { get_executors: { executors?: { executor_info: { executor_id: { value: string } } }[] } };
      return (body.get_executors.executors ?? []).map((e) => e.executor_info.executor_id.value).sort();
    };
    await until('the master to forget the ended executors', 10_000, async () => ((await executors()).join() === 'echo' ? true : undefined));
  });

  it('answers bad Executor API calls with clear errors', async () => {
    const post = async (body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${agent.url}/api/v1/executor`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: r.status, text: await r.text() };
    };
    const unknown = await post(JSON.stringify({ type: 'SUBSCRIBE', framework_id: { value: 'f' }, executor_id: { value: 'nobody' }, subscribe: {} }));
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("'nobody'");
    expect((await post('{"type": "SUBSCRIBE"')).status).toBe(400);
    expect((await post(JSON.stringify({ type: 'UPDATE' }))).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(415);
    expect((await fetch(`${agent.url}/api/v1/executor`)).status).toBe(405);
    expect((await fetch(`${agent.url}/slave(1)/health`)).status).toBe(200);
  });
});
