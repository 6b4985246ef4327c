import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRecord, type ExecutorCall, type ExecutorEvent } from '@ts-mesos/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Executor, ExecutorDisconnectedError, executorEnvironment } from './executor.js';

/** A stand-in agent on a real socket: records every call; `subscribe` decides how a SUBSCRIBE is answered. */
class FakeAgent {
  readonly calls: ExecutorCall[] = [];
  readonly streams: ServerResponse[] = [];
  private readonly server: Server;
  subscribe: (response: ServerResponse) => void = (response) => this.open(response);

  constructor() {
    this.server = createServer((request, response) => void this.receive(request, response));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Dies as a process does: every connection is cut. */
  async kill(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  open(response: ServerResponse, ...events: ExecutorEvent[]): void {
    response.writeHead(200, { 'content-type': 'application/json' });
    this.streams.push(response);
    const subscribed: ExecutorEvent = { type: 'SUBSCRIBED', subscribed: { executor_info: { executor_id: { value: 'e' } }, framework_info: { user: 'u', name: 'f' }, agent_info: { hostname: 'h' } } };
    for (const event of [subscribed, ...events]) this.send(event);
  }

  /** Sends an event on the newest stream. */
  send(event: ExecutorEvent): void {
    this.streams.at(-1)!.write(encodeRecord(JSON.stringify(event)));
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const call = JSON.parse(body) as ExecutorCall;
    this.calls.push(call);
    if (call.type === 'SUBSCRIBE') this.subscribe(response);
    else response.writeHead(202).end();
  }
}

const env = (agentEndpoint: string, recovery?: { timeoutMs: number; backoffMaxMs: number }) => ({ agentEndpoint, frameworkId: 'f', executorId: 'e', sandbox: '/tmp', ...(recovery === undefined ? {} : { recovery }) });
const task = { name: 't', task_id: { value: 't' }, agent_id: { value: 'a' }, resources: [] };

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(probe()).toBe(true);
}

describe('Executor', () => {
  const agents: FakeAgent[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.kill().catch(() => undefined);
  });
  const agent = (): FakeAgent => {
    const a = new FakeAgent();
    agents.push(a);
    return a;
  };

  it('reads the recovery settings from the environment only with MESOS_CHECKPOINT, and names a bad one', () => {
    const base = { MESOS_AGENT_ENDPOINT: 'h:1', MESOS_FRAMEWORK_ID: 'f', MESOS_EXECUTOR_ID: 'e' };
    expect(executorEnvironment(base).recovery).toBeUndefined();
    expect(executorEnvironment({ ...base, MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' }).recovery).toEqual({ timeoutMs: 900_000, backoffMaxMs: 2000 });
    expect(() => executorEnvironment({ ...base, MESOS_CHECKPOINT: '1', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' })).toThrow('MESOS_RECOVERY_TIMEOUT is not set');
    expect(() => executorEnvironment({ ...base, MESOS_CHECKPOINT: '1', MESOS_RECOVERY_TIMEOUT: 'soon', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' })).toThrow('Invalid MESOS_RECOVERY_TIMEOUT');
  });

  it('subscribes again after the agent comes back on its port, carrying what the agent has not acknowledged', async () => {
    const first = agent();
    const endpoint = await first.listen();
    const seen: string[] = [];
    const executor = new Executor(env(endpoint, { timeoutMs: 10_000, backoffMaxMs: 400 }), (event) => void seen.push(event.type));
    const running = executor.run();
    await until(() => first.streams.length === 1);
    first.send({ type: 'LAUNCH', launch: { task } });
    await until(() => seen.includes('LAUNCH'));
    const acked = await executor.update('t', 'TASK_RUNNING');
    first.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't' }, uuid: acked.uuid! } });
    await until(() => executor.unacknowledged.size === 0);
    first.send({ type: 'LAUNCH', launch: { task: { ...task, task_id: { value: 'u' } } } });
    await until(() => seen.filter((t) => t === 'LAUNCH').length === 2);

    await first.kill();
    // Made while the agent is away: it waits for the next SUBSCRIBE.
    const pending = await executor.update('t', 'TASK_FINISHED');
    const second = agent();
    await second.listen(Number(endpoint.split(':')[1]));
    await until(() => second.streams.length === 1);
    const again = second.calls.find((c) => c.type === 'SUBSCRIBE')!;
    expect(again.subscribe!.unacknowledged_updates!.map((u) => u.status.uuid)).toEqual([pending.uuid]);
    expect(again.subscribe!.unacknowledged_tasks!.map((t) => t.task_id.value)).toEqual(['u']);
    // The agent sees the SUBSCRIBE before the executor has read the answer's headers and counts it.
    await until(() => executor.resubscriptions === 1);
    executor.stop();
    await running;
  });

  it('waits for an agent it cannot reach yet at its first SUBSCRIBE, when the framework checkpoints', async () => {
    // A port nothing listens on yet (the agent is restarting as the executor starts).
    const probe = agent();
    const endpoint = await probe.listen();
    await probe.kill();
    const seen: string[] = [];
    const executor = new Executor(env(endpoint, { timeoutMs: 10_000, backoffMaxMs: 400 }), (event) => void seen.push(event.type));
    const running = executor.run();
    await new Promise((r) => setTimeout(r, 300));
    const late = agent();
    await late.listen(Number(endpoint.split(':')[1]));
    await until(() => seen.includes('SUBSCRIBED'));
    expect(executor.resubscriptions).toBe(0);
    executor.stop();
    await running;
  });

  it('past the recovery timeout the handler gets SHUTDOWN and run() rejects', async () => {
    const gone = agent();
    const endpoint = await gone.listen();
    const seen: string[] = [];
    const executor = new Executor(env(endpoint, { timeoutMs: 300, backoffMaxMs: 100 }), (event) => void seen.push(event.type));
    const running = executor.run();
    await until(() => gone.streams.length === 1);
    const lostAt = Date.now();
    await gone.kill();
    await expect(running).rejects.toThrow(ExecutorDisconnectedError);
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(250);
    expect(seen).toEqual(['SUBSCRIBED', 'SHUTDOWN']);
  });

  it('without MESOS_CHECKPOINT it does not wait for the agent', async () => {
    const gone = agent();
    const seen: string[] = [];
    const executor = new Executor(env(await gone.listen()), (event) => void seen.push(event.type));
    const running = executor.run();
    await until(() => gone.streams.length === 1);
    await gone.kill();
    await expect(running).rejects.toThrow('does not checkpoint');
    expect(seen).toEqual(['SUBSCRIBED', 'SHUTDOWN']);
  });
});
