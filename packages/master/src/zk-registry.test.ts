// The HA registry against a real ZooKeeper server (tools/services starts one on 127.0.0.1:2181).
// Under CI=true a missing server fails this file; elsewhere it is skipped with the reason.
import { randomUUID } from 'node:crypto';
import { describeWithService, probeZooKeeper } from '@ts-mesos/testkit';
import { ZkError, ZkSession } from '@ts-mesos/zk-election';
import { afterEach, expect, it } from 'vitest';
import { agentBucket, idempotentOps, ZkRegistry } from './zk-registry.js';

const zk = await probeZooKeeper();

it('spreads agent IDs over 256 buckets', () => {
  const buckets = new Set(Array.from({ length: 5000 }, (_, i) => agentBucket(`0f6e-S${i}`)));
  expect(buckets.size).toBe(256);
  expect(agentBucket('a-S1')).toMatch(/^[0-9a-f]{2}$/);
});

it('redoes a write cut off by a lost connection in a form right whether or not it was applied', () => {
  const data = Buffer.from('{}');
  const ops = [
    { op: 'check', path: '/m/json.info_1' },
    { op: 'create', path: '/r/a', data },
    { op: 'remove', path: '/r/b' },
    { op: 'set', path: '/r/c', data },
  ] as const;
  // Applied before the connection dropped: the create became a set, the remove is done.
  expect(idempotentOps(ops, new Set(['/r/a']))).toEqual([ops[0], { op: 'set', path: '/r/a', data }, ops[3]]);
  // Not applied: the same operations again.
  expect(idempotentOps(ops, new Set(['/r/b']))).toEqual([...ops]);
});

describeWithService(zk, 'ZkRegistry', () => {
  const sessions: ZkSession[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
  });
  async function open(): Promise<ZkSession> {
    const session = await ZkSession.connect(zk.connect, { sessionTimeoutMs: 4000 });
    sessions.push(session);
    return session;
  }
  async function leader(session: ZkSession, root: string): Promise<string> {
    await session.mkdirp(root);
    return session.create(`${root}/json.info_`, Buffer.from('{}'), 'ephemeral-sequential');
  }

  it('a new leader recovers what the last one wrote: agents in every state, weights and quotas', async () => {
    const root = `/ts-mesos-test/${randomUUID()}`;
    const first = await open();
    const registry = new ZkRegistry(first, `${root}/registry`, await leader(first, root));
    await registry.load();
    expect(registry.recover().admitted.size).toBe(0);
    const agent = (id: string, cpus: number) => ({ id: { value: id }, hostname: id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: cpus } }] });
    const writes = [];
    for (let i = 0; i < 50; i++) writes.push(registry.apply({ op: 'admit', agent: agent(`m-S${i}`, 1) }));
    writes.push(registry.apply({ op: 'admit', agent: agent('m-S0', 8) }));
    writes.push(registry.apply({ op: 'unreachable', agentId: 'm-S1', timeMs: 1234 }));
    writes.push(registry.apply({ op: 'gone', agentId: 'm-S2' }));
    writes.push(registry.apply({ op: 'remove', agentId: 'm-S3' }));
    writes.push(registry.apply({ op: 'weight', role: 'ops', weight: 2.5 }));
    writes.push(registry.apply({ op: 'quota', role: 'ops', quota: { guarantees: { cpus: 1 }, limits: { cpus: 4 } } }));
    writes.push(registry.apply({ op: 'quota', role: 'dev', quota: { guarantees: {}, limits: { mem: 64 } } }));
    writes.push(registry.apply({ op: 'quota', role: 'dev', quota: null }));
    await Promise.all(writes);

    const second = await open();
    const recovered = new ZkRegistry(second, `${root}/registry`, await leader(second, root));
    await recovered.load();
    const state = recovered.recover();
    expect(state.admitted.size).toBe(47);
    expect(state.admitted.get('m-S0')?.resources?.[0]?.scalar?.value).toBe(8);
    expect([...state.unreachable]).toEqual([['m-S1', 1234]]);
    expect([...state.gone]).toEqual(['m-S2']);
    expect(state.admitted.has('m-S3')).toBe(false);
    expect([...state.weights]).toEqual([['ops', 2.5]]);
    expect([...state.quotas]).toEqual([['ops', { guarantees: { cpus: 1 }, limits: { cpus: 4 } }]]);
    // The recovered registry writes on: an agent back from unreachable is admitted again.
    await recovered.apply({ op: 'admit', agent: agent('m-S1', 2) });
    const third = new ZkRegistry(second, `${root}/registry`, await leader(second, root));
    await third.load();
    expect(third.recover().unreachable.size).toBe(0);
    expect(third.recover().admitted.get('m-S1')?.resources?.[0]?.scalar?.value).toBe(2);
  });

  it('refuses writes once the writer no longer holds its election znode', async () => {
    const root = `/ts-mesos-test/${randomUUID()}`;
    const session = await open();
    const fence = await leader(session, root);
    const registry = new ZkRegistry(session, `${root}/registry`, fence);
    await registry.load();
    await registry.apply({ op: 'weight', role: 'a', weight: 1 });
    // What a session expiry does to the leader's znode.
    await session.remove(fence);
    const refused = await registry.apply({ op: 'admit', agent: { id: { value: 'late-S0' }, hostname: 'late', resources: [] } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ZkError);
    expect((refused as ZkError).code).toBe('NO_NODE');
    const reader = new ZkRegistry(session, `${root}/registry`, await leader(session, root));
    await reader.load();
    expect(reader.recover().admitted.has('late-S0')).toBe(false);
  });
});
