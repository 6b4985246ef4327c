import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../test/capture-logger.js';
import { MemoryNetwork, MetricsProcess, MetricsRegistry, prometheusName, prometheusText, Runtime, VirtualClock } from './index.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

describe('MetricsRegistry', () => {
  it('reads gauges at snapshot time, counts counters, merges sources, and sorts by name', () => {
    const metrics = new MetricsRegistry();
    let running = 1;
    metrics.gauge('master/tasks_running', () => running);
    const received = metrics.counter('master/messages_received');
    received.inc();
    received.inc(2);
    metrics.source('allocator', () => ({ 'allocator/mesos/allocation_runs': 4 }));
    metrics.gauge('broken', () => {
      throw new Error('no');
    });
    metrics.gauge('nan', () => Number.NaN);
    running = 5;
    expect(metrics.snapshot()).toEqual({ 'allocator/mesos/allocation_runs': 4, 'master/messages_received': 3, 'master/tasks_running': 5 });
    expect(Object.keys(metrics.snapshot())).toEqual(['allocator/mesos/allocation_runs', 'master/messages_received', 'master/tasks_running']);
    expect(metrics.counter('master/messages_received').value).toBe(3);
    metrics.remove('master/tasks_running');
    expect(metrics.snapshot()['master/tasks_running']).toBeUndefined();
  });

  it('renders the Prometheus text format with legal names', () => {
    expect(prometheusName('master/cpus_total')).toBe('master_cpus_total');
    expect(prometheusName('allocator/mesos/roles/a.b/shares/dominant')).toBe('allocator_mesos_roles_a_b_shares_dominant');
    expect(prometheusName('1st')).toBe('_1st');
    expect(prometheusText({ 'master/elected': 1 })).toBe('# HELP master_elected Mesos metric master/elected\n# TYPE master_elected untyped\nmaster_elected 1\n');
  });
});

describe('MetricsProcess', () => {
  it('serves /metrics/snapshot as JSON (and JSONP) and /metrics/prometheus as text', async () => {
    const network = new MemoryNetwork();
    const rt = new Runtime({ transport: network.transport('127.0.0.1', 5050), clock: new VirtualClock(), logger: captureLogger().logger });
    runtimes.push(rt);
    await rt.start();
    const metrics = new MetricsRegistry();
    metrics.gauge('master/elected', () => 1);
    rt.spawn(new MetricsProcess(metrics));
    const get = (path: string, query = '') => network.request(rt.address, { method: 'GET', path, query: new URLSearchParams(query), headers: {}, body: new Uint8Array() });
    expect(await get('/metrics/snapshot')).toMatchObject({ status: 200, body: '{"master/elected":1}' });
    expect(await get('/metrics/snapshot', 'jsonp=cb')).toMatchObject({ status: 200, body: 'cb({"master/elected":1});' });
    expect((await get('/metrics/snapshot', 'jsonp=a(b)')).status).toBe(400);
    expect(await get('/metrics/snapshot', 'timeout=5secs')).toMatchObject({ status: 200, body: '{"master/elected":1}' });
    expect(await get('/metrics/snapshot', 'timeout=abc')).toMatchObject({ status: 400, body: expect.stringContaining("Invalid timeout 'abc'") });
    const prom = await get('/metrics/prometheus');
    expect(prom.status).toBe(200);
    expect(prom.headers?.['content-type']).toContain('text/plain');
    expect(prom.body).toContain('master_elected 1\n');
  });
});
