import { join } from 'node:path';
import type { FrameworkInfo } from '@ts-mesos/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

type Offer = { id: { value: string }; agent_id: { value: string }; resources: { name: string; scalar?: { value: number } }[] };

const scalar = (offer: Offer, name: string): number => offer.resources.filter((r) => r.name === name).reduce((s, r) => s + (r.scalar?.value ?? 0), 0);
const res = (cpus: number, mem: number) => [
  { name: 'cpus', type: 'SCALAR' as const, scalar: { value: cpus } },
  { name: 'mem', type: 'SCALAR' as const, scalar: { value: mem } },
];
const task = (id: string, offer: Offer, command: string, cpus = 0.1, mem = 32) => ({
  name: id,
  task_id: { value: id },
  agent_id: offer.agent_id,
  resources: res(cpus, mem),
  command: { value: command },
});

async function firstOffer(framework: TestFramework, from = 0): Promise<Offer> {
  const event = await framework.offers(from);
  return event.type === 'OFFERS' ? (event.offers!.offers[0] as Offer) : (undefined as never);
}

describe('the offer cycle with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  const frameworks: TestFramework[] = [];
  const framework = (info: Partial<FrameworkInfo> = {}): TestFramework => {
    const f = new TestFramework(master.address, info).start();
    frameworks.push(f);
    return f;
  };

  beforeAll(async () => {
    const dir = tempDir('offer-cycle-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:4;mem:4096;disk:1000' }, '/slave(1)/health');
  });

  afterAll(async () => {
    await Promise.all(frameworks.map((f) => f.scheduler.teardown().catch(() => f.scheduler.stop())));
    await agent?.stop();
    await master?.stop();
  });

  it("runs the seed's example: <2 cpus, 1 GB> and <1 cpu, 2 GB> for framework 1, the remaining <1 cpu, 1 GB> offered to framework 2", async () => {
    const one = framework({ name: 'one' });
    const offer = await firstOffer(one);
    expect([scalar(offer, 'cpus'), scalar(offer, 'mem')]).toEqual([4, 4096]);
    await one.scheduler.launch([offer.id.value], [task('t1', offer, 'sleep 60', 2, 1024), task('t2', offer, 'sleep 60', 1, 2048)], { refuse_seconds: 3600 });
    await one.update('t1', 'TASK_RUNNING');
    await one.update('t2', 'TASK_RUNNING');
    const two = framework({ name: 'two' });
    const rest = await firstOffer(two);
    expect([scalar(rest, 'cpus'), scalar(rest, 'mem')]).toEqual([1, 1024]);
    await two.scheduler.teardown();
    await one.scheduler.teardown();
    const state = (await (await fetch(`${master.url}/master/state`)).json()) as { completed_frameworks: { tasks: unknown[]; completed_tasks: { id: string; state: string }[] }[] };
    const completed = state.completed_frameworks.flatMap((f) => f.completed_tasks).map((t) => [t.id, t.state]);
    expect(completed).toEqual(expect.arrayContaining([['t1', 'TASK_KILLED'], ['t2', 'TASK_KILLED']]));
  });

  it('reports a failing command as TASK_FAILED, a killed one as TASK_KILLED, and answers reconciliation', async () => {
    const f = framework({ name: 'lifecycle' });
    const offer = await firstOffer(f);
    await f.scheduler.launch([offer.id.value], [task('fails', offer, 'exit 3'), task('sleeps', offer, 'sleep 100')]);
    const failed = await f.update('fails', 'TASK_FAILED');
    expect(failed.type === 'UPDATE' && failed.update!.status.message).toBe('Command exited with status 3');
    await f.update('sleeps', 'TASK_RUNNING');
    await f.scheduler.reconcile([{ taskId: 'sleeps' }, { taskId: 'never-launched' }]);
    const reconciled = await f.next((n) => n.type === 'UPDATE' && n.update!.status.reason === 'REASON_RECONCILIATION' && n.update!.status.task_id.value === 'sleeps');
    expect(reconciled.type === 'UPDATE' && reconciled.update!.status.state).toBe('TASK_RUNNING');
    const unknown = await f.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'never-launched');
    expect(unknown.type === 'UPDATE' && unknown.update!.status.state).toBe('TASK_LOST');
    await f.scheduler.kill('sleeps');
    await f.update('sleeps', 'TASK_KILLED');
    await f.scheduler.teardown();
  });

  it('turns invalid ACCEPTs into TASK_LOST (stale offer) and TASK_ERROR (too big, duplicate ID) without harm', async () => {
    const f = framework({ name: 'invalid' });
    const offer = await firstOffer(f);
    const declinedAt = f.notices.length;
    await f.scheduler.decline([offer.id.value], { refuse_seconds: 0 });
    await f.scheduler.launch([offer.id.value], [task('stale', offer, 'true')]);
    const stale = await f.update('stale', 'TASK_LOST');
    expect(stale.type === 'UPDATE' && stale.update!.status.reason).toBe('REASON_INVALID_OFFERS');
    // Declined with no filter, the resources come straight back in a fresh offer.
    const fresh = await firstOffer(f, declinedAt);
    await f.scheduler.launch([fresh.id.value], [task('huge', fresh, 'true', 64, 32), task('dup', fresh, 'true'), task('dup', fresh, 'true')]);
    const huge = await f.update('huge', 'TASK_ERROR');
    expect(huge.type === 'UPDATE' && huge.update!.status.message).toMatch(/more resources/);
    const dup = await f.update('dup', 'TASK_ERROR');
    expect(dup.type === 'UPDATE' && dup.update!.status.message).toBe('Task has duplicate ID: dup');
    await f.update('dup', 'TASK_FINISHED');
    expect((await fetch(`${master.url}/health`)).status).toBe(200);
    await f.scheduler.teardown();
  });

  it('answers bad HTTP calls with 400, 403 and 415 and a message', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${master.url}/api/v1/scheduler`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const malformed = await post('{"type": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/Malformed JSON/);
    const wrongType = await post('{"type": "LAUNCH"}');
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toMatch(/\/type: expected one of/);
    const protobuf = await post('x', { 'content-type': 'application/x-protobuf' });
    expect(protobuf.status).toBe(415);
    const f = framework({ name: 'http' });
    const subscribed = await f.next((n) => n.type === 'SUBSCRIBED');
    const id = subscribed.type === 'SUBSCRIBED' ? subscribed.subscribed!.framework_id.value : '';
    const revive = JSON.stringify({ type: 'REVIVE', framework_id: { value: id } });
    const noStream = await post(revive);
    expect(noStream.status).toBe(400);
    expect(await noStream.text()).toMatch(/Mesos-Stream-Id/);
    const wrongStream = await post(revive, { 'mesos-stream-id': 'not-the-stream' });
    expect(wrongStream.status).toBe(400);
    expect(await wrongStream.text()).toMatch(/didn't match/);
    const stranger = await post(JSON.stringify({ type: 'REVIVE', framework_id: { value: 'nobody' } }), { 'mesos-stream-id': 'x' });
    expect(stranger.status).toBe(403);
    const subscribe = (info: Record<string, unknown>) => JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'bad', ...info } } });
    const withStream = await post(subscribe({}), { 'mesos-stream-id': 'x' });
    expect([withStream.status, await withStream.text()]).toEqual([400, "Subscribe calls should not include the 'Mesos-Stream-Id' header"]);
    const badRole = await post(subscribe({ roles: ['..'], capabilities: [{ type: 'MULTI_ROLE' }] }));
    expect([badRole.status, await badRole.text()]).toEqual([400, "'FrameworkInfo.roles' contains invalid role: role '..' cannot include '..' as a component"]);
    await f.scheduler.teardown();
  });

  it('keeps a framework and its tasks across a scheduler failover within failover_timeout', async () => {
    const first = new TestFramework(master.address, { name: 'failover', failover_timeout: 60 }).start();
    const offer = await firstOffer(first);
    await first.scheduler.launch([offer.id.value], [task('survivor', offer, 'sleep 100')]);
    await first.update('survivor', 'TASK_RUNNING');
    const id = first.scheduler.frameworkId!;
    await first.scheduler.stop();
    const second = framework({ name: 'failover', failover_timeout: 60, id: { value: id } });
    const subscribed = await second.next((n) => n.type === 'SUBSCRIBED' || n.type === 'ERROR');
    expect(subscribed).toMatchObject({ type: 'SUBSCRIBED' });
    expect(subscribed.type === 'SUBSCRIBED' && subscribed.subscribed!.framework_id.value).toBe(id);
    await second.scheduler.reconcile();
    await second.update('survivor', 'TASK_RUNNING');
  });
});

describe('an agent that stops answering', () => {
  it('is removed after --max_agent_ping_timeouts and its tasks are reported TASK_LOST', async () => {
    const dir = tempDir('agent-silence-');
    const master = await startDaemon('mesos-master', { port: freePort(), registry: 'in_memory', agent_ping_timeout: '300ms', max_agent_ping_timeouts: 2, allocation_interval: '100ms' }, '/health');
    const agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:1;mem:256' }, '/slave(1)/health');
    const f = new TestFramework(master.address, { name: 'silence' }).start();
    try {
      const offer = await firstOffer(f);
      await f.scheduler.launch([offer.id.value], [task('orphan', offer, 'sleep 100')]);
      await f.update('orphan', 'TASK_RUNNING');
      agent.process.kill('SIGSTOP');
      const lost = await f.update('orphan', 'TASK_LOST');
      expect(lost.type === 'UPDATE' && lost.update!.status.reason).toBe('REASON_AGENT_REMOVED');
      const state = (await (await fetch(`${master.url}/master/state`)).json()) as { slaves: unknown[]; unreachable_slaves: number };
      expect(state.slaves).toEqual([]);
      expect(state.unreachable_slaves).toBe(1);
    } finally {
      agent.process.kill('SIGCONT');
      await f.scheduler.stop();
      await agent.stop('SIGKILL');
      await master.stop();
    }
  });
});
