import { join } from 'node:path';
import { RecordIoDecoder } from '@ts-mesos/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const call = async (master: Daemon, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${master.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
};

/** An operator SUBSCRIBE stream, its events decoded as they come. */
async function subscribe(master: Daemon): Promise<{ events: Json[]; next(match: (e: Json) => boolean): Promise<Json>; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(`${master.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'SUBSCRIBE' }), signal: abort.signal });
  expect(response.status).toBe(200);
  const events: Json[] = [];
  const decoder = new RecordIoDecoder();
  let wake: (() => void) | undefined;
  void (async () => {
    try {
      for await (const chunk of response.body!) {
        for (const record of decoder.decode(chunk)) events.push(JSON.parse(new TextDecoder().decode(record)) as Json);
        wake?.();
      }
    } catch {
      // aborted at the end of the test
    }
  })();
  return {
    events,
    async next(match) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`No matching operator event; got ${events.map((e) => e['type']).join(', ')}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
    },
    close: () => abort.abort(),
  };
}

describe('the v1 Operator API of a real master', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('operator-api-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:1024;disk:100' }, '/slave(1)/health');
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
  });

  it('SUBSCRIBE sees the framework arrive and a task go STAGING -> RUNNING -> FINISHED', async () => {
    // Wait for the agent to be registered, so the snapshot has it.
    for (let i = 0; i < 200 && JSON.parse((await call(master, { type: 'GET_AGENTS' })).text).get_agents.agents.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    const stream = await subscribe(master);
    const subscribed = await stream.next((e) => e['type'] === 'SUBSCRIBED');
    expect(subscribed['subscribed'].get_state.get_agents.agents).toHaveLength(1);
    expect(subscribed['subscribed'].heartbeat_interval_seconds).toBeGreaterThan(0);

    framework = new TestFramework(master.address, { name: 'watched' }).start();
    const added = await stream.next((e) => e['type'] === 'FRAMEWORK_ADDED');
    expect(added['framework_added'].framework.framework_info.name).toBe('watched');
    const event = await framework.offers();
    const offer = event.type === 'OFFERS' ? event.offers!.offers[0]! : undefined;
    await framework.scheduler.launch([offer!.id.value], [
      { name: 'short', task_id: { value: 'short' }, agent_id: offer!.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }], command: { value: 'sleep 0.2' } },
    ]);
    const taskAdded = await stream.next((e) => e['type'] === 'TASK_ADDED');
    expect(taskAdded['task_added'].task).toMatchObject({ task_id: { value: 'short' }, state: 'TASK_STAGING' });
    await stream.next((e) => e['type'] === 'TASK_UPDATED' && e['task_updated'].state === 'TASK_FINISHED');
    const states = stream.events.filter((e) => e['type'] === 'TASK_UPDATED').map((e) => e['task_updated'].state as string);
    expect(states).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(stream.events.find((e) => e['type'] === 'TASK_UPDATED')!['task_updated'].framework_id.value).toBe(added['framework_added'].framework.framework_info.id.value);
    stream.close();
  });

  it('answers GET_* calls with Mesos shapes', async () => {
    const answer = async (type: string): Promise<Json> => {
      const r = await call(master, { type });
      expect(r.status).toBe(200);
      const body = JSON.parse(r.text) as Json;
      expect(body['type']).toBe(type);
      return body;
    };
    expect((await answer('GET_HEALTH'))['get_health']).toEqual({ healthy: true });
    expect((await answer('GET_VERSION'))['get_version'].version_info.version).toMatch(/^1\./);
    expect((await answer('GET_FLAGS'))['get_flags'].flags).toContainEqual({ name: 'allocation_interval', value: expect.any(String) });
    const metrics = (await answer('GET_METRICS'))['get_metrics'].metrics as { name: string; value: number }[];
    expect(metrics).toContainEqual({ name: 'master/elected', value: 1 });
    const agents = (await answer('GET_AGENTS'))['get_agents'].agents;
    expect(agents[0]).toMatchObject({ active: true, agent_info: { hostname: '127.0.0.1' }, total_resources: expect.arrayContaining([expect.objectContaining({ name: 'cpus', scalar: { value: 2 } })]) });
    expect(agents[0].registered_time.nanoseconds).toBeGreaterThan(0);
    const frameworks = (await answer('GET_FRAMEWORKS'))['get_frameworks'].frameworks;
    expect(frameworks[0]).toMatchObject({ framework_info: { name: 'watched' }, active: true, connected: true });
    const tasks = (await answer('GET_TASKS'))['get_tasks'];
    expect(tasks.completed_tasks).toContainEqual(expect.objectContaining({ task_id: { value: 'short' }, state: 'TASK_FINISHED' }));
    const state = (await answer('GET_STATE'))['get_state'];
    expect(Object.keys(state).sort()).toEqual(['get_agents', 'get_executors', 'get_frameworks', 'get_tasks']);
    expect((await answer('GET_ROLES'))['get_roles'].roles).toContainEqual(expect.objectContaining({ name: '*', weight: 1 }));
    expect((await answer('GET_EXECUTORS'))['get_executors']).toEqual({ executors: [] });
    const got = (await answer('GET_MASTER'))['get_master'];
    expect(got.master_info.port).toBe(Number(master.address.split(':')[1]));
    expect(got.start_time).toBeGreaterThan(0);
  });

  it('answers malformed and unsupported calls with clear 4xx/5xx errors', async () => {
    const broken = await call(master, '{"type": ');
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('master::Call');
    expect((await call(master, { type: 'NOT_A_CALL' })).status).toBe(400);
    expect((await call(master, { type: 'GET_HEALTH' }, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call(master, { type: 'GET_HEALTH' }, { accept: 'application/x-protobuf' })).status).toBe(406);
    expect((await fetch(`${master.url}/api/v1`)).status).toBe(405);
    const unimplemented = await call(master, { type: 'GET_MAINTENANCE_STATUS' });
    expect(unimplemented.status).toBe(501);
    expect(unimplemented.text).toContain('GET_MAINTENANCE_STATUS');
    expect((await call(master, { type: 'GET_HEALTH' })).status).toBe(200);
  });
});

describe('MARK_AGENT_GONE on a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('gone-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:512;disk:100' }, '/slave(1)/health');
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
  });

  it('ends the agent: its tasks GONE_BY_OPERATOR to partition-aware frameworks, the agent shut down, the mark kept; unknown IDs 404', async () => {
    framework = new TestFramework(master.address, { name: 'gone', capabilities: [{ type: 'PARTITION_AWARE' }] }).start();
    const offers = await framework.offers();
    const offer = (offers.type === 'OFFERS' ? offers.offers!.offers[0] : undefined) as { id: { value: string }; agent_id: { value: string } };
    await framework.scheduler.launch([offer.id.value], [{ name: 'sleeper', task_id: { value: 'sleeper' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }], command: { value: 'sleep 600' } }]);
    await framework.update('sleeper', 'TASK_RUNNING');
    const agentExited = new Promise<void>((r) => agent.process.once('exit', () => r()));

    const marked = await call(master, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: offer.agent_id } });
    expect(marked.status).toBe(200);
    const gone = await framework.update('sleeper', 'TASK_GONE_BY_OPERATOR');
    expect(gone.type === 'UPDATE' && gone.update!.status.reason).toBe('REASON_AGENT_REMOVED_BY_OPERATOR');
    await agentExited; // told to shut down
    const agents = JSON.parse((await call(master, { type: 'GET_AGENTS' })).text) as Json;
    expect(agents['get_agents']['agents']).toHaveLength(0);

    expect((await call(master, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: offer.agent_id } })).status).toBe(200);
    const unknown = await call(master, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: 'no-such-agent' } } });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toMatch(/no-such-agent/);
  });
});
