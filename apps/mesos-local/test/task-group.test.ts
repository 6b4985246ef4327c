import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '@ts-mesos/protocol';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';

const resources = (cpus: number, mem: number): { name: string; type: 'SCALAR'; scalar: { value: number } }[] => [
  { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
  { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
];
const scalar = (o: Offer, name: string): number => o.resources.find((r) => r.name === name)?.scalar?.value ?? 0;

describe('LAUNCH_GROUP with a real master and agent', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;

  beforeAll(async () => {
    const dir = tempDir('task-group-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon('mesos-agent', { port: freePort(), master: master.address, work_dir: join(dir, 'agent'), resources: 'cpus:2;mem:1024;disk:100' }, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'groups' }).start();
  });

  afterAll(async () => {
    await framework?.scheduler.stop();
    await agent?.stop();
    await master?.stop();
  });

  it("holds the group's executor's resources beside its tasks while a task of it runs, and offers them again once the last one ended", async () => {
    await framework.next((n) => n.type === 'SUBSCRIBED');
    const offer = await framework.freshOffer((o) => scalar(o, 'cpus') >= 2 - 1e-9);
    const task = (id: string, command: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: resources(0.5, 128), command: { value: command } });
    const executor = { executor_id: { value: 'group-executor' }, type: 'DEFAULT' as const, resources: resources(0.5, 64) };
    await framework.scheduler.accept([offer.id.value], [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [task('quick', 'true'), task('slow', 'sleep 3')] } } }], { refuse_seconds: 0 });
    await framework.update('quick', 'TASK_FINISHED');
    await framework.update('slow', 'TASK_RUNNING');

    // While 'slow' runs, the master counts its 0.5 cpus and the executor's 0.5 as used; the
    // offers hold at most the 1 cpu left (the executor's share is not offered again).
    const used = async (): Promise<number> => {
      const state = (await (await fetch(`http://${master.address}/master/state`)).json()) as { slaves: { used_resources: { cpus: number } }[] };
      return state.slaves[0]!.used_resources.cpus;
    };
    expect(await used()).toBe(1);
    const during = await framework.freshOffer();
    expect(scalar(during, 'cpus')).toBeLessThanOrEqual(1 + 1e-9);

    // Once 'slow' finished, the agent reports the executor exited: all 2 cpus come back.
    await framework.update('slow', 'TASK_FINISHED');
    await until('the executor\'s resources given back', 10_000, async () => ((await used()) === 0 ? true : undefined));
    const after = await framework.freshOffer((o) => scalar(o, 'cpus') >= 2 - 1e-9);
    expect(scalar(after, 'cpus')).toBe(2);
  });
});
