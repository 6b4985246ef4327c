import { join } from 'node:path';
import { commandTask } from '@ts-mesos/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

type Offer = { id: { value: string }; agent_id: { value: string } };
type Json = Record<string, unknown>;

const get = async (url: string): Promise<{ status: number; text: string; type: string }> => {
  const response = await fetch(url);
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
};
const json = async <T = Json>(url: string): Promise<T> => {
  const response = await get(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${response.text}`);
  return JSON.parse(response.text) as T;
};

// The sandbox gets a file, a subdirectory, and two symlinks that lead out of it.
const COMMAND = "printf 'hello world' > hello.txt; mkdir sub; echo inner > sub/inner.txt; ln -s /etc/passwd leak; ln -s .. up; mkfifo pipe; echo started; exec sleep 600";

describe('operator endpoints of a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;
  let frameworkId: string;
  let sandbox: string;

  beforeAll(async () => {
    const dir = tempDir('operator-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:4;mem:4096;disk:1000', attributes: 'rack:r1' }, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'operator', roles: ['ops'], capabilities: [{ type: 'MULTI_ROLE' }] }).start();
    const event = await framework.offers();
    const offer = (event.type === 'OFFERS' ? event.offers!.offers[0] : undefined) as Offer;
    const subscribed = await framework.next((n) => n.type === 'SUBSCRIBED');
    frameworkId = subscribed.type === 'SUBSCRIBED' ? subscribed.subscribed!.framework_id.value : '';
    await framework.scheduler.launch([offer.id.value], [commandTask('files', offer.agent_id, 1, 128, COMMAND)]);
    await framework.update('files', 'TASK_RUNNING');
    const state = await json<{ frameworks: { executors: { directory: string }[] }[] }>(`${agent.url}/slave(1)/state`);
    sandbox = state.frameworks[0]!.executors[0]!.directory;
    // The command has written its files once it says so.
    for (let i = 0; i < 200; i++) {
      const read = await json<{ data: string }>(`${agent.url}/files/read?path=${encodeURIComponent(`${sandbox}/stdout`)}`);
      if (read.data.includes('started')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
  });

  it('master: state-summary, tasks, frameworks, slaves and roles in Mesos shapes', async () => {
    const summary = await json<{ slaves: Json[]; frameworks: Json[] }>(`${master.url}/master/state-summary`);
    expect(summary.slaves[0]).toMatchObject({ TASK_RUNNING: 1, attributes: { rack: 'r1' }, framework_ids: [frameworkId] });
    expect(summary.slaves[0]!['tasks']).toBeUndefined();
    expect(summary.frameworks[0]).toMatchObject({ id: frameworkId, name: 'operator', TASK_RUNNING: 1, active: true });

    const tasks = await json<{ tasks: Json[] }>(`${master.url}/master/tasks?limit=10&order=asc`);
    expect(tasks.tasks).toEqual([expect.objectContaining({ id: 'files', state: 'TASK_RUNNING', framework_id: frameworkId, role: 'ops', resources: expect.objectContaining({ cpus: 1, mem: 128 }) })]);
    expect((await json<{ tasks: Json[] }>(`${master.url}/master/tasks?offset=1`)).tasks).toEqual([]);
    expect((await json<{ tasks: Json[] }>(`${master.url}/master/tasks?task_id=nope`)).tasks).toEqual([]);
    const badLimit = await get(`${master.url}/master/tasks?limit=-3`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.text).toContain("Invalid 'limit'");
    expect((await get(`${master.url}/master/tasks?order=sideways`)).status).toBe(400);
    expect((await get(`${master.url}/master/tasks?limit=99999999999999999999`)).status).toBe(400);

    const frameworks = await json<{ frameworks: Json[]; completed_frameworks: Json[] }>(`${master.url}/master/frameworks?framework_id=${frameworkId}`);
    expect(frameworks.frameworks).toHaveLength(1);
    expect(frameworks.frameworks[0]).toMatchObject({ id: frameworkId, roles: ['ops'], used_resources: expect.objectContaining({ cpus: 1 }) });
    expect((await json<{ frameworks: Json[] }>(`${master.url}/master/frameworks?framework_id=other`)).frameworks).toEqual([]);

    const slaves = await json<{ slaves: Json[] }>(`${master.url}/master/slaves`);
    expect(slaves.slaves[0]).toMatchObject({ active: true, resources: expect.objectContaining({ cpus: 4, mem: 4096 }), used_resources: expect.objectContaining({ cpus: 1, mem: 128 }) });

    const roles = await json<{ roles: Json[] }>(`${master.url}/master/roles`);
    expect(roles.roles).toContainEqual(expect.objectContaining({ name: 'ops', weight: 1, frameworks: [frameworkId], allocated: expect.objectContaining({ cpus: 1, mem: 128 }) }));
  });

  it('master: /metrics/snapshot with Mesos names, the same in Prometheus text, and /help', async () => {
    const metrics = await json<Record<string, number>>(`${master.url}/metrics/snapshot`);
    expect(metrics).toMatchObject({
      'master/elected': 1,
      'master/event_queue_messages': expect.any(Number),
      'master/event_queue_dispatches': expect.any(Number),
      'master/event_queue_http_requests': expect.any(Number),
      'master/slaves_active': 1,
      'master/frameworks_active': 1,
      'master/tasks_running': 1,
      'master/cpus_total': 4,
      'master/cpus_used': 1,
      'master/cpus_percent': 0.25,
      'master/mem_total': 4096,
      'master/slave_registrations': 1,
    });
    expect(metrics['master/uptime_secs']).toBeGreaterThan(0);
    expect(metrics['master/valid_status_updates']).toBeGreaterThanOrEqual(1);
    expect(metrics['allocator/mesos/allocation_runs']).toBeGreaterThan(0);
    expect(metrics['system/cpus_total']).toBeGreaterThan(0);
    const prometheus = await get(`${master.url}/metrics/prometheus`);
    expect(prometheus.type).toContain('text/plain');
    expect(prometheus.text).toMatch(/^master_elected 1$/m);
    expect(prometheus.text).toMatch(/^master_tasks_running 1$/m);
    const help = await get(`${master.url}/help`);
    for (const path of ['/master/state-summary', '/master/tasks', '/master/roles', '/metrics/snapshot', '/metrics/prometheus']) expect(help.text).toContain(path);
  });

  it('agent: /slave(1)/state, /slave(1)/flags, slave metrics and /monitor/statistics', async () => {
    const state = await json<Json & { frameworks: { id: string; executors: Json[] }[] }>(`${agent.url}/slave(1)/state`);
    expect(state).toMatchObject({ hostname: '127.0.0.1', attributes: { rack: 'r1' }, resources: expect.objectContaining({ cpus: 4, mem: 4096 }), master_hostname: '127.0.0.1' });
    expect(state['id']).toMatch(/-S0$/);
    expect(state.frameworks[0]).toMatchObject({ id: frameworkId, name: 'operator' });
    expect(state.frameworks[0]!.executors[0]).toMatchObject({ id: 'files', type: 'COMMAND', directory: sandbox, tasks: [expect.objectContaining({ id: 'files', state: 'TASK_RUNNING', slave_id: state['id'] })] });
    expect(sandbox).toContain(`/frameworks/${frameworkId}/executors/files/runs/`);
    expect((await json<{ flags: Record<string, string> }>(`${agent.url}/slave(1)/flags`)).flags).toMatchObject({ resources: 'cpus:4;mem:4096;disk:1000', attributes: 'rack:r1' });

    const metrics = await json<Record<string, number>>(`${agent.url}/metrics/snapshot`);
    expect(metrics).toMatchObject({ 'slave/registered': 1, 'slave/tasks_running': 1, 'slave/executors_running': 1, 'slave/cpus_total': 4, 'slave/cpus_used': 1, 'slave/mem_used': 128 });

    const statistics = await json<{ executor_id: string; framework_id: string; statistics: Record<string, number> }[]>(`${agent.url}/monitor/statistics`);
    expect(statistics).toHaveLength(1);
    expect(statistics[0]).toMatchObject({ executor_id: 'files', framework_id: frameworkId, statistics: expect.objectContaining({ cpus_limit: 1, mem_limit_bytes: 128 * 1024 * 1024 }) });
    expect(statistics[0]!.statistics['mem_rss_bytes']).toBeGreaterThan(0);
    expect(statistics[0]!.statistics['processes']).toBeGreaterThanOrEqual(1);
    const wrapped = await get(`${agent.url}/monitor/statistics?jsonp=cb`);
    expect([wrapped.status, wrapped.type, wrapped.text.startsWith('cb([{')]).toEqual([200, 'text/javascript', true]);
  });

  it('agent: the v1 Operator API answers GET_* calls and refuses bad ones', async () => {
    const post = async (body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${agent.url}/api/v1`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: r.status, text: await r.text() };
    };
    const answer = async (type: string): Promise<Json> => {
      const r = await post(JSON.stringify({ type }));
      expect(r.status).toBe(200);
      return JSON.parse(r.text) as Json;
    };
    expect((await answer('GET_HEALTH'))['get_health']).toEqual({ healthy: true });
    expect(((await answer('GET_FLAGS'))['get_flags'] as { flags: unknown[] }).flags).toContainEqual({ name: 'attributes', value: 'rack:r1' });
    expect(((await answer('GET_METRICS'))['get_metrics'] as { metrics: unknown[] }).metrics).toContainEqual({ name: 'slave/tasks_running', value: 1 });
    const tasks = (await answer('GET_TASKS'))['get_tasks'] as { launched_tasks: { task_id: { value: string }; state: string }[] };
    expect(tasks.launched_tasks.map((t) => [t.task_id.value, t.state])).toEqual([['files', 'TASK_RUNNING']]);
    const state = (await answer('GET_STATE'))['get_state'] as Json;
    expect(Object.keys(state).sort()).toEqual(['get_executors', 'get_frameworks', 'get_tasks']);
    expect((state['get_frameworks'] as { frameworks: { framework_info: { name: string } }[] }).frameworks[0]!.framework_info.name).toBe('operator');
    const containers = ((await answer('GET_CONTAINERS'))['get_containers'] as { containers: { executor_id: { value: string }; container_id: { value: string }; resource_statistics: { mem_rss_bytes: number } }[] }).containers;
    expect(containers).toHaveLength(1);
    expect(containers[0]!.executor_id.value).toBe('files');
    expect(sandbox.endsWith(`/runs/${containers[0]!.container_id.value}`)).toBe(true);
    expect(containers[0]!.resource_statistics.mem_rss_bytes).toBeGreaterThan(0);
    expect(((await answer('GET_AGENT'))['get_agent'] as { agent_info: { hostname: string } }).agent_info.hostname).toBe('127.0.0.1');
    expect((await post('{"type":')).status).toBe(400);
    expect((await post('{"type":"NOPE"}')).status).toBe(400);
    expect((await post('{"type":"GET_METRICS","get_metrics":123}')).status).toBe(400); // as the master refuses it
    expect((await post('{"type":"GET_METRICS","get_metrics":{"timeout":{"nanoseconds":1000000000}}}')).status).toBe(200);
    expect((await post('{"type":"GET_HEALTH"}', 'text/plain')).status).toBe(415);
    expect((await post('{"type":"LAUNCH_CONTAINER"}')).status).toBe(501);
  });

  it('agent: /files/browse, read, download and debug over the sandbox', async () => {
    const path = (p: string): string => encodeURIComponent(p);
    const listing = await json<{ path: string; size: number; mode: string }[]>(`${agent.url}/files/browse?path=${path(sandbox)}`);
    expect(listing.map((f) => f.path)).toEqual(expect.arrayContaining([`${sandbox}/hello.txt`, `${sandbox}/stdout`, `${sandbox}/stderr`, `${sandbox}/sub`]));
    expect(listing.find((f) => f.path.endsWith('/hello.txt'))).toMatchObject({ size: 11, mode: expect.stringMatching(/^-rw/) });
    expect(listing.find((f) => f.path.endsWith('/sub'))!.mode).toMatch(/^d/);

    expect(await json(`${agent.url}/files/read?path=${path(`${sandbox}/hello.txt`)}&offset=6&length=3`)).toEqual({ data: 'wor', offset: 6 });
    expect(await json(`${agent.url}/files/read?path=${path(`${sandbox}/hello.txt`)}&offset=-1`)).toEqual({ data: '', offset: 11 });
    expect(await json(`${agent.url}/files/read?path=${path(`${sandbox}/hello.txt`)}&offset=100`)).toEqual({ data: '', offset: 11 });
    const latest = `/frameworks/${frameworkId}/executors/files/runs/latest`;
    expect(await json(`${agent.url}/files/read?path=${path(`${latest}/sub/inner.txt`)}`)).toEqual({ data: 'inner\n', offset: 0 });
    const download = await fetch(`${agent.url}/files/download?path=${path(`${latest}/hello.txt`)}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('hello.txt');
    expect(await download.text()).toBe('hello world');
    const debug = await json<Record<string, string>>(`${agent.url}/files/debug`);
    expect(debug[sandbox]).toBe(sandbox);
    expect(debug[latest]).toBe(sandbox);
  });

  it('agent: /files refuses every way out of the sandbox, and bad queries', async () => {
    const status = async (query: string): Promise<[number, string]> => {
      const r = await get(`${agent.url}/files/read?${query}`);
      return [r.status, r.text];
    };
    const path = (p: string): string => `path=${encodeURIComponent(p)}`;
    expect((await status(path(`${sandbox}/../../../../../../etc/passwd`)))[0]).toBe(403);
    expect((await status(path(`${sandbox}/sub/../hello.txt`)))[0]).toBe(403);
    const leak = await status(path(`${sandbox}/leak`));
    expect(leak[0]).toBe(403);
    expect(leak[1]).not.toContain('root:');
    // Through the `up` link, outside: refused where something exists, not found where nothing does.
    expect((await status(path(`${sandbox}/up/${sandbox.split('/').at(-1)}/hello.txt`)))[0]).toBe(200); // back inside: fine
    expect((await status(path(`${sandbox}/up/stdout`)))[0]).toBe(404);
    expect((await get(`${agent.url}/files/browse?${path(`${sandbox}/up`)}`)).status).toBe(403);
    expect((await status(path('/etc/passwd')))[0]).toBe(404);
    expect((await status(path(`${sandbox}/missing`)))[0]).toBe(404);
    expect((await status('offset=0'))[0]).toBe(400);
    expect((await status(path('relative/path')))[0]).toBe(400);
    expect((await status(`${path(`${sandbox}/hello.txt`)}&offset=abc`))[0]).toBe(400);
    expect((await status(`${path(`${sandbox}/hello.txt`)}&length=-1`))[0]).toBe(400);
    expect((await status(path(sandbox)))[0]).toBe(400);
    expect((await get(`${agent.url}/files/download?${path(`${sandbox}/leak`)}`)).status).toBe(403);
    // A FIFO is not read (its open would wait for a writer, holding a thread every file operation shares).
    expect(await status(path(`${sandbox}/pipe`))).toEqual([400, `'${sandbox}/pipe' is not a regular file`]);
    expect((await get(`${agent.url}/files/download?${path(`${sandbox}/pipe`)}`)).status).toBe(400);
    expect(await status(path(`${sandbox}/hello.txt`))).toEqual([200, JSON.stringify({ data: 'hello world', offset: 0 })]);
    // The agent is still fine.
    expect((await get(`${agent.url}/slave(1)/health`)).status).toBe(200);
  });
});
