// High availability against the real 3-member ZooKeeper ensemble that tools/services starts:
// three mesos-master processes elect one leader, two agents and a framework follow it through
// ZooKeeper, and the leader is killed with SIGKILL. Under CI=true a missing ensemble fails this
// file; elsewhere it is skipped with the reason.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZkRegistry } from '@ts-mesos/master';
import { describeWithService, fourLetterWord, parseServerMode, probeZooKeeperEnsemble } from '@ts-mesos/testkit';
import { ZkSession } from '@ts-mesos/zk-election';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

const ensemble = await probeZooKeeperEnsemble();
const ROOT = resolve(import.meta.dirname, '../../..');
type Offer = { id: { value: string }; agent_id: { value: string } };

async function metric(url: string, name: string): Promise<number | undefined> {
  try {
    return ((await (await fetch(`${url}/metrics/snapshot`)).json()) as Record<string, number>)[name];
  } catch {
    return undefined;
  }
}

async function eventually<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeWithService(ensemble, 'three masters elected through ZooKeeper', () => {
  const dir = tempDir('ha-');
  const zk = `zk://${ensemble.connect}/ts-mesos-test-${randomUUID()}`;
  const masterFlags = (port: number) => ({
    port,
    zk,
    quorum: 2,
    // Longer than the benchmark's 2 s: this file shares two cores with the rest of the suite.
    zk_session_timeout: '4secs',
    work_dir: join(dir, `master-${port}`),
    allocation_interval: '100ms',
    heartbeat_interval: '1secs',
  });
  const ports = [freePort(), freePort(), freePort()];
  const masters = new Map<number, Daemon>();
  const agents: Daemon[] = [];
  let framework: TestFramework;
  let killedZkMember: string | undefined;

  beforeAll(async () => {
    // One at a time, so the first one waits for a quorum before it acts.
    for (const port of ports) masters.set(port, await startDaemon('mesos-master', masterFlags(port), '/health'));
    for (let i = 0; i < 2; i++) {
      agents.push(
        await startDaemon('mesos-agent', { port: freePort(), master: zk, work_dir: join(dir, `agent-${i}`), resources: 'cpus:2;mem:512;disk:100', registration_backoff_factor: '100ms', zk_session_timeout: '4secs' }, '/slave(1)/health'),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => undefined);
    await framework?.scheduler.stop();
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all([...masters.values()].map((m) => m.stop()));
    // Bring the ZooKeeper member this test killed back for whatever runs next.
    if (killedZkMember !== undefined) execFileSync(join(ROOT, 'tools/services'), ['--zk-ensemble'], { stdio: 'ignore' });
  }, 120_000);

  /** The masters whose `master/elected` is 1. */
  async function leaders(): Promise<number[]> {
    const elected = await Promise.all([...masters].map(async ([port, m]) => ((await metric(m.url, 'master/elected')) === 1 ? port : undefined)));
    return elected.filter((p): p is number => p !== undefined);
  }

  async function leaderPort(): Promise<number> {
    return eventually('one elected master', 30_000, async () => {
      const found = await leaders();
      expect(found.length).toBeLessThanOrEqual(1);
      return found.length === 1 ? found[0] : undefined;
    });
  }

  it('elects exactly one leader; the others send clients to it', async () => {
    const leader = await leaderPort();
    const standby = ports.find((p) => p !== leader)!;
    const state = await fetch(`http://127.0.0.1:${standby}/master/state`, { redirect: 'manual' });
    expect(state.status).toBe(307);
    expect(state.headers.get('location')).toBe(`//127.0.0.1:${leader}/master/state`);
    const api = await fetch(`http://127.0.0.1:${standby}/api/v1/scheduler`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(307);
    expect(api.headers.get('location')).toBe(`//127.0.0.1:${leader}/api/v1/scheduler`);
    const redirect = await fetch(`http://127.0.0.1:${standby}/master/redirect`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe(`//127.0.0.1:${leader}`);
    expect((await fetch(`http://127.0.0.1:${standby}/health`)).status).toBe(200);
    // A browser opening the web UI on a standby is sent to the leader's.
    const ui = await fetch(`http://127.0.0.1:${standby}/`, { redirect: 'manual' });
    expect(ui.headers.get('location')).toBe(`//127.0.0.1:${leader}/`);
    expect((await fetch(`http://127.0.0.1:${leader}/`)).headers.get('content-type')).toMatch(/text\/html/);
    // Agents found the leader through ZooKeeper.
    await eventually('both agents registered', 20_000, async () => ((await metric(`http://127.0.0.1:${leader}`, 'master/slaves_active')) === 2 ? true : undefined));
  });

  it('SIGKILL of the leader: a new leader takes over, agents re-register, the framework re-subscribes, no task and no update is lost', async () => {
    const leader = await leaderPort();
    framework = new TestFramework(zk, { name: 'ha', failover_timeout: 3600, checkpoint: true }).start();
    const launched: string[] = [];
    for (let i = 0; i < 2; i++) {
      const offers = await framework.next((n) => n.type === 'OFFERS' && n.offers!.offers.some((o) => !launched.includes((o as Offer).agent_id.value)), 15_000);
      const offer = (offers.type === 'OFFERS' ? offers.offers!.offers.find((o) => !launched.includes((o as Offer).agent_id.value)) : undefined) as Offer;
      launched.push(offer.agent_id.value);
      const tasks = [{ name: `long-${i}`, task_id: { value: `long-${i}` }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }], command: { value: 'sleep 600' } }];
      // A task that ends while there is no leader: its TASK_FINISHED must still reach the framework.
      if (i === 0) tasks.push({ name: 'short', task_id: { value: 'short' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }], command: { value: 'sleep 2' } });
      await framework.scheduler.launch([offer.id.value], tasks, { refuse_seconds: 3600 });
    }
    await framework.update('long-0', 'TASK_RUNNING');
    await framework.update('long-1', 'TASK_RUNNING');
    await framework.update('short', 'TASK_RUNNING');
    const subscribedBefore = framework.notices.filter((n) => n.type === 'SUBSCRIBED').length;

    masters.get(leader)!.process.kill('SIGKILL');
    await masters.get(leader)!.stop();
    masters.delete(leader);

    const next = await leaderPort();
    expect(next).not.toBe(leader);
    const nextUrl = `http://127.0.0.1:${next}`;
    await eventually('both agents re-registered with the new leader', 30_000, async () => ((await metric(nextUrl, 'master/slaves_active')) === 2 ? true : undefined));
    await framework.next((n) => n.type === 'SUBSCRIBED' && framework.notices.filter((m) => m.type === 'SUBSCRIBED').length > subscribedBefore, 30_000);
    await framework.update('short', 'TASK_FINISHED');

    const from = framework.notices.length;
    await framework.scheduler.reconcile([{ taskId: 'long-0' }, { taskId: 'long-1' }]);
    for (const id of ['long-0', 'long-1']) {
      const answer = await framework.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === id && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
      expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');
    }
    const state = (await (await fetch(`${nextUrl}/master/state`)).json()) as { frameworks: { id: string; tasks: { id: string; state: string }[] }[] };
    const tasks = state.frameworks.flatMap((f) => f.tasks).map((t) => `${t.id}:${t.state}`).sort();
    expect(tasks).toEqual(['long-0:TASK_RUNNING', 'long-1:TASK_RUNNING']);
  });

  it('the killed master comes back as a standby', async () => {
    const leader = await leaderPort();
    const port = ports.find((p) => !masters.has(p))!;
    masters.set(port, await startDaemon('mesos-master', masterFlags(port), '/health'));
    await eventually('the returning master to know the leader', 10_000, async () =>
      (await fetch(`http://127.0.0.1:${port}/master/state`, { redirect: 'manual' })).status === 307 ? true : undefined,
    );
    expect(await metric(`http://127.0.0.1:${port}`, 'master/elected')).toBe(0);
    expect(await leaders()).toEqual([leader]);
  });

  it('losing one ZooKeeper member does not stop the cluster', async () => {
    const leader = await leaderPort();
    // Kill a follower of the ensemble (killing its leader also works, but pauses ZooKeeper for its own election).
    const members = ensemble.connect.split(',');
    const modes = await Promise.all(members.map(async (m) => parseServerMode(await fourLetterWord(m, 'srvr'))));
    killedZkMember = members[modes.indexOf('follower')]!;
    const index = members.indexOf(killedZkMember) + 1;
    const pid = Number(readFileSync(`/run/ts-mesos/zk-ensemble-${index}.pid`, 'utf8').trim());
    process.kill(pid, 'SIGKILL');

    // The offers made after the failover are still outstanding: use the newest.
    const from = framework.notices.length;
    const offers = framework.notices.findLast((n) => n.type === 'OFFERS')!;
    const offer = (offers.type === 'OFFERS' ? offers.offers!.offers[0] : undefined) as Offer;
    await framework.scheduler.launch([offer.id.value], [{ name: 'after', task_id: { value: 'after' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 } }], command: { value: 'true' } }]);
    await framework.update('after', 'TASK_FINISHED', from);
    expect(await leaders()).toEqual([leader]);
  });

  it('registry writes cut off by the death of the ZooKeeper member they went through are redone, in order, on another', async () => {
    // Bring back the member the previous test killed, so one more can go without losing the quorum.
    if (killedZkMember !== undefined) execFileSync(join(ROOT, 'tools/services'), ['--zk-ensemble'], { stdio: 'ignore' });
    const path = `/ts-mesos-test-registry-${randomUUID()}`;
    // A session on a follower: killing the ensemble's leader would also pause ZooKeeper for an
    // election, which the masters of the other tests here need not sit through.
    const remotePort = (s: ZkSession): number => (s as unknown as { client: { connectionManager: { socket: { remotePort: number } } } }).client.connectionManager.socket.remotePort;
    let session = await ZkSession.connect(ensemble.connect, { sessionTimeoutMs: 6000 });
    for (let i = 0; i < 20 && parseServerMode(await fourLetterWord(`127.0.0.1:${remotePort(session)}`, 'srvr')) !== 'follower'; i++) {
      session.close();
      session = await ZkSession.connect(ensemble.connect, { sessionTimeoutMs: 6000 });
    }
    try {
      await session.mkdirp(path);
      const fence = await session.create(`${path}/json.info_`, Buffer.from('{}'), 'ephemeral-sequential');
      const registry = new ZkRegistry(session, `${path}/registry`, fence);
      await registry.load();
      const port = remotePort(session);
      expect(parseServerMode(await fourLetterWord(`127.0.0.1:${port}`, 'srvr'))).toBe('follower');
      const index = ensemble.connect.split(',').indexOf(`127.0.0.1:${port}`) + 1;
      expect(index).toBeGreaterThan(0);
      const writes: Promise<void>[] = [];
      const agent = (i: number, cpus: number) => ({ id: { value: `w-S${i}` }, hostname: `h${i}`, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: cpus } }] });
      for (let i = 0; i < 300; i++) writes.push(registry.apply({ op: 'admit', agent: agent(i, 1) }));
      process.kill(Number(readFileSync(`/run/ts-mesos/zk-ensemble-${index}.pid`, 'utf8').trim()), 'SIGKILL');
      killedZkMember = `127.0.0.1:${port}`;
      // Later changes to the same agents, some issued while the connection is down.
      for (let i = 0; i < 300; i += 3) writes.push(registry.apply({ op: 'admit', agent: agent(i, 2) }));
      for (let i = 1; i < 300; i += 3) writes.push(registry.apply({ op: 'remove', agentId: `w-S${i}` }));
      await Promise.all(writes);

      const reader = await ZkSession.connect(ensemble.connect, { sessionTimeoutMs: 6000 });
      try {
        const check = new ZkRegistry(reader, `${path}/registry`, fence);
        await check.load();
        const admitted = check.recover().admitted;
        expect(admitted.size).toBe(200);
        for (let i = 0; i < 300; i++) {
          if (i % 3 === 1) expect(admitted.has(`w-S${i}`)).toBe(false);
          else expect(admitted.get(`w-S${i}`)?.resources?.[0]?.scalar?.value).toBe(i % 3 === 0 ? 2 : 1);
        }
      } finally {
        reader.close();
      }
    } finally {
      session.close();
    }
  }, 60_000);

  it('a leader frozen past its ZooKeeper session is replaced, and stops (exits) when it wakes instead of acting beside the new one', async () => {
    const leader = await leaderPort();
    const frozen = masters.get(leader)!;
    let stderr = '';
    frozen.process.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((r) => frozen.process.once('exit', (code) => r(code)));
    frozen.process.kill('SIGSTOP');
    masters.delete(leader);
    const next = await leaderPort();
    expect(next).not.toBe(leader);
    frozen.process.kill('SIGCONT');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/Lost leadership or candidacy: (the ZooKeeper session expired|disconnected from ZooKeeper)/);
    expect(await leaders()).toEqual([next]);
    // It comes back as a standby, as a supervisor would restart it.
    masters.set(leader, await startDaemon('mesos-master', masterFlags(leader), '/health'));
    await eventually('both agents with the new leader', 30_000, async () => ((await metric(`http://127.0.0.1:${next}`, 'master/slaves_active')) === 2 ? true : undefined));
  });

  it('an elected master without a quorum of masters answers 503 and does not act; bad --zk and a missing --quorum are refused', async () => {
    const port = freePort();
    const lonely = await startDaemon('mesos-master', { ...masterFlags(port), zk: `zk://${ensemble.connect}/ts-mesos-test-${randomUUID()}`, quorum: 2 }, '/health');
    try {
      // First 'no master is leading', then (once it sees its own znode lead) 'elected and recovering', for good.
      const text = await eventually('the lone master to see itself elected', 10_000, async () => {
        const response = await fetch(`http://127.0.0.1:${port}/master/state`, { redirect: 'manual' });
        const body = await response.text();
        return response.status === 503 && /elected and is recovering/.test(body) ? body : undefined;
      });
      expect(text).toMatch(/waiting|recovering/);
      await new Promise((r) => setTimeout(r, 1000));
      expect((await fetch(`http://127.0.0.1:${port}/master/state`, { redirect: 'manual' })).status).toBe(503);
      expect(await metric(`http://127.0.0.1:${port}`, 'master/elected')).toBe(0);
    } finally {
      await lonely.stop();
    }
    const run = (flags: string[]): { status: number | null; stderr: string } => {
      try {
        execFileSync(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps/mesos-master/src/main.ts'), `--port=${freePort()}`, '--registry=in_memory', ...flags], { cwd: ROOT, stdio: 'pipe' });
        return { status: 0, stderr: '' };
      } catch (error) {
        const e = error as { status: number | null; stderr: Buffer };
        return { status: e.status, stderr: e.stderr.toString() };
      }
    };
    const bad = run(['--zk=zk://127.0.0.1:2182', '--quorum=1']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Invalid --zk: .*names no znode path/);
    const noQuorum = run([`--zk=zk://${ensemble.connect}/x`]);
    expect(noQuorum.status).toBe(1);
    expect(noQuorum.stderr).toMatch(/--quorum is required with --zk/);
  });
});
