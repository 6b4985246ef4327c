// Leader election and detection against a real ZooKeeper server (tools/services starts one on
// 127.0.0.1:2181). Under CI=true a missing server fails this file; elsewhere it is skipped.
import { randomUUID } from 'node:crypto';
import { connect as connect_, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describeWithService, probeZooKeeper } from '@ts-mesos/testkit';
import { afterEach, expect, it } from 'vitest';
import type { MasterInfo } from '@ts-mesos/protocol';
import { type ContenderOptions, LeaderContender, LeaderDetector, leaderOf, ZkError, ZkMasterDetector, ZkSession } from '../src/index.js';

const zk = await probeZooKeeper();

function info(port: number): MasterInfo {
  return { id: `m-${port}`, ip: 16777343, port, pid: `master@127.0.0.1:${port}`, hostname: '127.0.0.1', address: { hostname: '127.0.0.1', ip: '127.0.0.1', port } };
}

function next<T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

it('leaderOf picks the lowest json.info_ sequence and ignores other nodes', () => {
  expect(leaderOf(['json.info_0000000012', 'info_0000000001', 'json.info_0000000003', 'log_replicas'])).toBe('json.info_0000000003');
  expect(leaderOf(['info_0000000001', 'registry'])).toBeUndefined();
  expect(leaderOf([])).toBeUndefined();
});

describeWithService(zk, 'ZooKeeper leader election', () => {
  const sessions: ZkSession[] = [];
  const closers: (() => void)[] = [];
  const path = (): string => `/ts-mesos-test/${randomUUID()}`;

  async function open(timeoutMs = 4000): Promise<ZkSession> {
    const session = await ZkSession.connect(zk.connect, { sessionTimeoutMs: timeoutMs });
    sessions.push(session);
    return session;
  }

  afterEach(() => {
    for (const close of closers.splice(0)) close();
    for (const session of sessions.splice(0)) session.close();
  });

  it('elects the first contender, reports it to a detector, and hands over when it withdraws', async () => {
    const group = path();
    const [a, b, watcher] = await Promise.all([open(), open(), open()]);
    const first = new LeaderContender(a, group, Buffer.from(JSON.stringify(info(5051))));
    const elected = next(first, 'elected');
    await first.contend();
    await elected;
    expect(first.node).toMatch(new RegExp(`^${group}/json\\.info_\\d{10}$`));

    const second = new LeaderContender(b, group, Buffer.from(JSON.stringify(info(5052))));
    let secondElected = false;
    second.on('elected', () => (secondElected = true));
    await second.contend();
    expect(secondElected).toBe(false);

    const detector = new LeaderDetector(watcher, group);
    closers.push(() => detector.stop());
    await detector.start();
    expect(detector.leader?.info.port).toBe(5051);

    const handedOver = next(second, 'elected');
    const detected = next<{ info: MasterInfo } | undefined>(detector, 'leader');
    await first.withdraw();
    await handedOver;
    expect((await detected)?.info.pid).toBe('master@127.0.0.1:5052');
  });

  /**
   * A leader that reaches ZooKeeper through a proxy the test can cut (the ensemble then expires
   * its session for real), and a standby behind it. Joining the leader's session from a second
   * client and closing it would race with the first client's own reconnection, which can win
   * and keep the session alive.
   */
  async function cuttableLeader(port: number, options: ContenderOptions = {}): Promise<{ cut: CuttableProxy; leader: LeaderContender; standby: LeaderContender }> {
    const group = path();
    const cut = await CuttableProxy.start(zk.connect);
    closers.push(() => cut.close());
    const a = await ZkSession.connect(cut.address, { sessionTimeoutMs: 2000 });
    sessions.push(a);
    const b = await open();
    const leader = new LeaderContender(a, group, Buffer.from(JSON.stringify(info(port))), options);
    const standby = new LeaderContender(b, group, Buffer.from(JSON.stringify(info(port + 1))));
    await leader.contend();
    await standby.contend();
    expect(leader.isElected).toBe(true);
    return { cut, leader, standby };
  }

  it('a leader whose session expires loses leadership and the standby is elected', async () => {
    // A long step-down so that only the expiry itself can end this leadership.
    const { cut, leader, standby } = await cuttableLeader(5061, { stepDownMs: 60_000 });
    const takeover = next(standby, 'elected', 15_000);
    cut.sever();
    await takeover;
    expect(standby.isElected).toBe(true);
    const lost = next<string>(leader, 'lost', 15_000);
    cut.heal();
    expect(await lost).toMatch(/expired/);
    expect(leader.isElected).toBe(false);
  });

  it('a leader cut off from ZooKeeper steps down before the ensemble can elect another', async () => {
    const { cut, leader, standby } = await cuttableLeader(5063);
    const order: string[] = [];
    const lost = next<string>(leader, 'lost', 15_000).then((reason) => order.push(`lost: ${reason}`));
    const takeover = next(standby, 'elected', 15_000).then(() => order.push('standby elected'));
    cut.sever();
    await Promise.all([lost, takeover]);
    expect(order).toEqual([expect.stringMatching(/^lost: disconnected from ZooKeeper for \d+ ms$/), 'standby elected']);
  });

  it('a master detector follows the leader and reports none while nobody contends', async () => {
    const group = path();
    const detector = await ZkMasterDetector.open({ servers: zk.connect, path: group });
    closers.push(() => detector.close());
    expect(detector.leader).toBeUndefined();
    const a = await open();
    const contender = new LeaderContender(a, group, Buffer.from(JSON.stringify(info(5071))));
    const found = next<{ pid: string; host: string; port: number } | undefined>(detector, 'leader');
    await contender.contend();
    expect(await found).toMatchObject({ pid: 'master@127.0.0.1:5071', host: '127.0.0.1', port: 5071 });
    const gone = next(detector, 'leader');
    await contender.withdraw();
    expect(await gone).toBeUndefined();
  });

  it('a member with data that is not a MasterInfo is reported, not followed', async () => {
    const group = path();
    const a = await open();
    await a.mkdirp(group);
    await a.create(`${group}/json.info_`, Buffer.from('not json'), 'ephemeral-sequential');
    const detector = new LeaderDetector(a, group);
    closers.push(() => detector.stop());
    const invalid = next<string>(detector, 'invalid');
    await detector.start();
    await invalid;
    expect(detector.leader).toBeUndefined();
  });

  it('transactions are all or nothing, and name what failed', async () => {
    const group = path();
    const a = await open();
    await a.mkdirp(group);
    await a.create(`${group}/x`, Buffer.from('1'));
    const failure = await a
      .transaction([
        { op: 'set', path: `${group}/x`, data: Buffer.from('2') },
        { op: 'check', path: `${group}/missing` },
      ])
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ZkError);
    expect((failure as ZkError).code).toBe('NO_NODE');
    expect((await a.getData(`${group}/x`)).data.toString()).toBe('1');
    await a.transaction([{ op: 'set', path: `${group}/x`, data: Buffer.from('3') }, { op: 'check', path: `${group}/x` }]);
    expect((await a.getData(`${group}/x`)).data.toString()).toBe('3');
  });

  it('connect names the servers when none answers', async () => {
    await expect(ZkSession.connect('127.0.0.1:1', { connectTimeoutMs: 500 })).rejects.toThrow(/127\.0\.0\.1:1/);
  });
});

/**
 * A TCP proxy to the first server of a connect string that can cut every connection through it
 * and refuse new ones (`sever`) until `heal`: a network partition between one client and
 * ZooKeeper.
 */
class CuttableProxy {
  address = '';
  private severed = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(host: string, port: number) {
    this.server = createServer((client) => {
      if (this.severed) {
        client.destroy();
        return;
      }
      const upstream = connect_(port, host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  static async start(connect: string): Promise<CuttableProxy> {
    const [host = '127.0.0.1', port = '2181'] = (connect.split(',')[0] ?? '').split(':');
    const proxy = new CuttableProxy(host, Number(port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.address = `127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  sever(): void {
    this.severed = true;
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.severed = false;
  }

  close(): void {
    this.sever();
    this.server.close();
  }
}
