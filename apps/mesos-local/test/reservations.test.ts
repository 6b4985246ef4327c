import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OfferOperation } from '@ts-mesos/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

type ResourceJson = NonNullable<OfferOperation['reserve']>['resources'][number];
type Offered = { name: string; scalar: { value: number }; reservations?: unknown[]; disk?: unknown };
type Offer = { id: { value: string }; agent_id: { value: string }; resources: Offered[] };

const ROLE = 'ops';
const PRINCIPAL = 'ops-principal';
const reservation = [{ type: 'DYNAMIC' as const, role: ROLE, principal: PRINCIPAL }];
const reserved = (name: string, value: number): ResourceJson => ({ name, type: 'SCALAR', scalar: { value }, reservations: reservation });
const volume = (size: number): ResourceJson => ({ ...reserved('disk', size), disk: { persistence: { id: 'vol1', principal: PRINCIPAL }, volume: { container_path: 'data', mode: 'RW' } } });
const amount = (offer: Offer, name: string, which: 'reserved' | 'unreserved' | 'volume'): number =>
  offer.resources
    .filter((r) => r.name === name && (which === 'unreserved' ? r.reservations === undefined || r.reservations.length === 0 : which === 'volume' ? r.disk !== undefined : (r.reservations?.length ?? 0) > 0 && r.disk === undefined))
    .reduce((sum, r) => sum + r.scalar.value, 0);

describe('dynamic reservations and persistent volumes with a real master and agent', () => {
  let dir: string;
  let master: Daemon;
  let agent: Daemon;
  let masterPort: number;
  let framework: TestFramework;

  /** The first offer at or after notice `start` that satisfies `match`; others met on the way are declined. */
  async function offerWhere(match: (offer: Offer) => boolean, start: number): Promise<Offer> {
    for (let from = start; ; ) {
      const event = await framework.next((n) => n.type === 'OFFERS', 20_000, from);
      from = framework.notices.indexOf(event) + 1;
      for (const offer of event.type === 'OFFERS' ? (event.offers!.offers as Offer[]) : []) {
        if (match(offer)) return offer;
        await framework.scheduler.decline([offer.id.value], { refuse_seconds: 0 });
      }
    }
  }

  const form = async (path: string, body: Record<string, string>): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${master.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    dir = tempDir('reservations-');
    masterPort = freePort();
    master = await startDaemon('mesos-master', { port: masterPort, work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:1024;disk:1000', registration_backoff_factor: '100ms' }, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'stateful', roles: [ROLE], principal: PRINCIPAL, capabilities: [{ type: 'MULTI_ROLE' }], failover_timeout: 300 }).start();
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
  });

  it('RESERVE, then CREATE a volume: a file task 1 writes there, task 2 reads; the volume survives a master restart; DESTROY and UNRESERVE give it all back', async () => {
    const first = await offerWhere((o) => amount(o, 'cpus', 'unreserved') === 2, 0);
    let mark = framework.notices.length;
    await framework.scheduler.accept([first.id.value], [{ type: 'RESERVE', reserve: { resources: [reserved('cpus', 1), reserved('mem', 256), reserved('disk', 200)] } }], { refuse_seconds: 0 });

    const withReservation = await offerWhere((o) => amount(o, 'cpus', 'reserved') === 1, mark);
    expect([amount(withReservation, 'cpus', 'unreserved'), amount(withReservation, 'mem', 'reserved'), amount(withReservation, 'disk', 'reserved')]).toEqual([1, 256, 200]);
    const roles = (await (await fetch(`${master.url}/master/roles`)).json()) as { roles: { name: string; reserved: Record<string, number> }[] };
    expect(roles.roles.find((r) => r.name === ROLE)!.reserved).toMatchObject({ cpus: 1, mem: 256, disk: 200 });

    const writer = { name: 'writer', task_id: { value: 'writer' }, agent_id: withReservation.agent_id, resources: [reserved('cpus', 0.5), reserved('mem', 64), volume(100)], command: { value: 'echo persisted > data/f' } };
    mark = framework.notices.length;
    await framework.scheduler.accept([withReservation.id.value], [{ type: 'CREATE', create: { volumes: [volume(100)] } }, { type: 'LAUNCH', launch: { task_infos: [writer] } }], { refuse_seconds: 0 });
    await framework.update('writer', 'TASK_FINISHED');

    const withVolume = await offerWhere((o) => amount(o, 'disk', 'volume') === 100, mark);
    const reader = { ...writer, name: 'reader', task_id: { value: 'reader' }, command: { value: 'cat data/f' } };
    await framework.scheduler.launch([withVolume.id.value], [reader], { refuse_seconds: 0 });
    await framework.update('reader', 'TASK_FINISHED');
    // The reader's executor is listed (running or completed, depending on whether the acknowledgement arrived yet).
    type Executors = { frameworks: { executors: { id: string; directory: string }[]; completed_executors: { id: string; directory: string }[] }[] };
    const agentState = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as Executors;
    const directory = agentState.frameworks.flatMap((f) => [...f.executors, ...f.completed_executors]).find((e) => e.id === 'reader')!.directory;
    const stdout = (await (await fetch(`${agent.url}/files/read?path=${encodeURIComponent(`${directory}/stdout`)}`)).json()) as { data: string };
    expect(stdout.data).toBe('persisted\n');

    // A new master learns the reservation and the volume from the agent's checkpoint (the agent
    // retries after a random delay of up to 100 ms here, doubling per attempt, while the master is down).
    await master.stop();
    mark = framework.notices.length;
    master = await startDaemon('mesos-master', { port: masterPort, work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    const afterRestart = await offerWhere((o) => amount(o, 'disk', 'volume') === 100, mark);
    expect(amount(afterRestart, 'cpus', 'reserved')).toBe(1);
    await framework.scheduler.decline([afterRestart.id.value], { refuse_seconds: 0 });

    // The volume's data lives under the agent's work_dir, outside any sandbox.
    const volumeDir = join(dir, 'agent', 'volumes', 'roles', ROLE, 'vol1');
    expect(readFileSync(join(volumeDir, 'f'), 'utf8')).toBe('persisted\n');

    // The operator takes it all back: offers are rescinded so the resources are free to change.
    const agentId = afterRestart.agent_id.value;
    mark = framework.notices.length;
    expect((await form('/master/destroy-volumes', { slaveId: agentId, volumes: JSON.stringify([volume(100)]) })).status).toBe(202);
    expect((await form('/master/unreserve', { slaveId: agentId, resources: JSON.stringify([reserved('cpus', 1), reserved('mem', 256), reserved('disk', 200)]) })).status).toBe(202);
    const plain = await offerWhere((o) => amount(o, 'cpus', 'unreserved') === 2, mark);
    expect([amount(plain, 'cpus', 'reserved'), amount(plain, 'disk', 'volume'), amount(plain, 'disk', 'unreserved')]).toEqual([0, 0, 1000]);
    await framework.scheduler.decline([plain.id.value], { refuse_seconds: 0 });
    // DESTROY deletes the volume's data on the agent.
    for (let i = 0; i < 200 && existsSync(volumeDir); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(volumeDir)).toBe(false);
  });

  it('operator endpoints reserve and answer bad requests with clear errors', async () => {
    type Slaves = { slaves: { id: string; reserved_resources: Record<string, Record<string, number>> }[] };
    const before = (await (await fetch(`${master.url}/master/slaves`)).json()) as Slaves;
    const agentId = before.slaves[0]!.id;
    const reservedCpus = (s: Slaves): number => s.slaves[0]!.reserved_resources[ROLE]?.['cpus'] ?? 0;
    const resources = JSON.stringify([reserved('cpus', 0.5)]);
    expect((await form('/master/reserve', { slaveId: agentId, resources })).status).toBe(202);
    const after = (await (await fetch(`${master.url}/master/slaves`)).json()) as Slaves;
    expect(reservedCpus(after)).toBe(reservedCpus(before) + 0.5);
    expect((await form('/master/unreserve', { slaveId: agentId, resources })).status).toBe(202);

    expect((await form('/master/reserve', { resources })).status).toBe(400);
    expect((await form('/master/reserve', { slaveId: 'nobody', resources })).status).toBe(404);
    const tooMuch = await form('/master/reserve', { slaveId: agentId, resources: JSON.stringify([reserved('cpus', 64)]) });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.text).toContain('not available');
    expect((await form('/master/reserve', { slaveId: agentId, resources: '[{' })).status).toBe(400);
    const unreservedGiven = await form('/master/reserve', { slaveId: agentId, resources: JSON.stringify([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }]) });
    expect(unreservedGiven.status).toBe(400);
    expect(unreservedGiven.text).toContain('no reservation');
    expect((await form('/master/unreserve', { slaveId: agentId, resources })).status).toBe(409);
    expect((await fetch(`${master.url}/master/reserve`)).status).toBe(405);
  });

  it('weights, quota and teardown through the operator endpoints', async () => {
    const put = await fetch(`${master.url}/master/weights`, { method: 'PUT', body: JSON.stringify([{ role: ROLE, weight: 2.5 }]) });
    expect(put.status).toBe(200);
    expect(await (await fetch(`${master.url}/master/weights`)).json()).toEqual([{ role: ROLE, weight: 2.5 }]);
    const roles = (await (await fetch(`${master.url}/master/roles`)).json()) as { roles: { name: string; weight: number }[] };
    expect(roles.roles.find((r) => r.name === ROLE)!.weight).toBe(2.5);
    expect((await fetch(`${master.url}/master/weights`, { method: 'PUT', body: JSON.stringify([{ role: ROLE, weight: 0 }]) })).status).toBe(400);
    expect((await fetch(`${master.url}/master/weights`, { method: 'PUT', body: '{' })).status).toBe(400);

    // Quota: guarantee and limit set together by the classic endpoint; checked against the cluster unless forced.
    const quota = (body: unknown) => fetch(`${master.url}/master/quota`, { method: 'POST', body: JSON.stringify(body) });
    expect((await quota({ role: ROLE, guarantee: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] })).status).toBe(200);
    const status = (await (await fetch(`${master.url}/master/quota`)).json()) as { configs: unknown[] };
    expect(status.configs).toEqual([{ role: ROLE, guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 1 } } }]);
    const tooBig = await quota({ role: 'big', guarantee: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 100 } }] });
    expect(tooBig.status).toBe(409);
    expect(await tooBig.text()).toContain('force');
    expect((await quota({ role: 'big', guarantee: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 100 } }], force: true })).status).toBe(200);
    expect((await quota({ role: '*', guarantee: [] })).status).toBe(400);
    expect((await quota({ guarantee: [] })).status).toBe(400);
    const operatorQuota = (await (await fetch(`${master.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'GET_QUOTA' }) })).json()) as { get_quota: { status: { configs: { role: string }[] } } };
    expect(operatorQuota.get_quota.status.configs.map((c) => c.role).sort()).toEqual(['big', ROLE]);
    expect((await fetch(`${master.url}/master/quota/big`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${master.url}/master/quota/big`, { method: 'DELETE' })).status).toBe(400);
    const malformed = await fetch(`${master.url}/master/quota/%ZZ`, { method: 'DELETE' });
    expect([malformed.status, await malformed.text()]).toEqual([400, "Malformed percent-encoding in '/master/quota/%ZZ'"]);
    const asset = await fetch(`${master.url}/assets/%E0%A4%A.js`);
    expect(asset.status).toBe(400);
    const update = await fetch(`${master.url}/api/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: ROLE, guarantees: { cpus: { value: 2 } }, limits: { cpus: { value: 1 } } }] } }) });
    expect(update.status).toBe(400);
    expect(await update.text()).toContain('exceeds its limit');

    const frameworks = (await (await fetch(`${master.url}/master/frameworks`)).json()) as { frameworks: { id: string }[] };
    const id = frameworks.frameworks[0]!.id;
    expect((await form('/master/teardown', { frameworkId: 'nobody' })).status).toBe(404);
    expect((await form('/master/teardown', { frameworkId: id })).status).toBe(200);
    const after = (await (await fetch(`${master.url}/master/frameworks`)).json()) as { frameworks: unknown[]; completed_frameworks: { id: string }[] };
    expect(after.frameworks).toEqual([]);
    expect(after.completed_frameworks.map((f) => f.id)).toContain(id);
  });
});
