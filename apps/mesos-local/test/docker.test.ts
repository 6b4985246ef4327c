// An agent with --containerizers=mesos,docker through a real master and the real Docker
// engine. Under CI=true a missing engine fails this file; elsewhere it is skipped with the reason.
import { join } from 'node:path';
import { describeWithService, dockerRequest, probeDocker, TEST_IMAGE } from '@ts-mesos/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework } from './daemon.js';

const docker = await probeDocker();
type Offer = { id: { value: string }; agent_id: { value: string } };

describeWithService(docker, 'an agent with the Docker containerizer', () => {
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;
  let agentFlags: Record<string, string | number>;

  beforeAll(async () => {
    const dir = tempDir('docker-agent-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agentFlags = {
      port: freePort(),
      master: master.address,
      work_dir: join(dir, 'agent'),
      resources: 'cpus:2;mem:1024;disk:100',
      containerizers: `${join(import.meta.dirname, 'fixtures', 'note-containerizer.mjs')},mesos,docker`,
      registration_backoff_factor: '100ms',
    };
    agent = await startDaemon('mesos-agent', agentFlags, '/slave(1)/health');
    framework = new TestFramework(master.address, { name: 'docker' }).start();
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
    // Containers outlive their agent by design: remove what this test's agent started, if a failure left any.
    const filters = encodeURIComponent(JSON.stringify({ label: [`ts-mesos.task=boxed`] }));
    const listed = await dockerRequest('GET', `/containers/json?all=1&filters=${filters}`).catch(() => undefined);
    for (const c of listed === undefined ? [] : (JSON.parse(listed.body.toString()) as { Id: string }[])) await dockerRequest('DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
  });

  it('runs a Docker task beside a plain one and a third-party one; the Docker task writes to its sandbox, survives an agent kill -9, is killed, and its statuses reach the framework', async () => {
    const event = await framework.offers();
    const offer = (event.type === 'OFFERS' ? event.offers!.offers[0] : undefined) as Offer;
    const res = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 64 } },
    ];
    await framework.scheduler.launch([offer.id.value], [
      {
        name: 'boxed',
        task_id: { value: 'boxed' },
        agent_id: offer.agent_id,
        resources: res,
        command: { value: 'echo "in $(hostname) sandbox=$MESOS_SANDBOX"; echo data > /mnt/mesos/sandbox/made-inside; exec sleep 600' },
        container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } },
      },
      { name: 'plain', task_id: { value: 'plain' }, agent_id: offer.agent_id, resources: res, command: { value: 'echo plain' } },
      { name: 'noted', task_id: { value: 'noted' }, agent_id: offer.agent_id, resources: res, command: { value: 'anything' }, container: { type: 'MESOS', hostname: 'note-runner' } },
    ]);
    const noted = await framework.update('noted', 'TASK_FINISHED');
    expect(noted.type === 'UPDATE' && noted.update!.status.message).toBe('Noted by the note containerizer');
    await framework.update('boxed', 'TASK_RUNNING');
    await framework.update('plain', 'TASK_FINISHED');
    const state = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; directory: string }[] }[] };
    const directory = state.frameworks[0]!.executors.find((e) => e.id === 'boxed')!.directory;
    const read = async (name: string): Promise<string> => {
      const r = await fetch(`${agent.url}/files/read?path=${encodeURIComponent(`${directory}/${name}`)}`);
      return r.status === 200 ? ((await r.json()) as { data: string }).data : '';
    };
    let out = '';
    for (let i = 0; i < 200 && !out.includes('sandbox='); i++) {
      out = await read('stdout');
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(out).toContain('sandbox=/mnt/mesos/sandbox');
    expect(await read('made-inside')).toBe('data\n');

    // The agent dies; the Docker container does not, and the restarted agent re-adopts it.
    await agent.stop('SIGKILL');
    agent = await startDaemon('mesos-agent', agentFlags, '/slave(1)/health');
    const from = framework.notices.length;
    await framework.scheduler.reconcile([{ taskId: 'boxed' }]);
    const answer = await framework.next((n) => n.type === 'UPDATE' && n.update!.status.task_id.value === 'boxed' && n.update!.status.reason === 'REASON_RECONCILIATION', 15_000, from);
    expect(answer.type === 'UPDATE' && answer.update!.status.state).toBe('TASK_RUNNING');
    const after = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; tasks: { state: string }[] }[] }[] };
    expect(after.frameworks.flatMap((f) => f.executors).find((e) => e.id === 'boxed')?.tasks[0]?.state).toBe('TASK_RUNNING');
    await framework.scheduler.kill('boxed');
    await framework.update('boxed', 'TASK_KILLED');
  });
});
