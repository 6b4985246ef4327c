// An agent with --isolation=cgroups/*,namespaces/pid against the real kernel, through a real
// master. Under CI=true missing cgroups fail this file; elsewhere it is skipped with the reason.
import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { commandTask } from '@ts-mesos/scheduler';
import { describeWithService, probeCgroups } from '@ts-mesos/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Daemon, freePort, startDaemon, tempDir, TestFramework, until } from './daemon.js';

const cgroups = await probeCgroups();

describeWithService(cgroups, 'an agent with Linux isolation', () => {
  const cgroupsRoot = `ts-mesos-it-${process.pid}`;
  let master: Daemon;
  let agent: Daemon;
  let framework: TestFramework;

  async function launch(id: string, command: string, cpus: number, mem: number): Promise<void> {
    await framework.next((n) => n.type === 'SUBSCRIBED');
    const offer = await framework.freshOffer();
    await framework.scheduler.launch([offer.id.value], [commandTask(id, offer.agent_id, cpus, mem, command)], { refuse_seconds: 0 });
  }

  beforeAll(async () => {
    const dir = tempDir('linux-isolation-');
    master = await startDaemon('mesos-master', { port: freePort(), work_dir: join(dir, 'master'), allocation_interval: '100ms' }, '/health');
    agent = await startDaemon(
      'mesos-agent',
      {
        port: freePort(),
        master: master.address,
        work_dir: join(dir, 'agent'),
        resources: 'cpus:2;mem:1024;disk:100',
        isolation: 'cgroups/cpu,cgroups/mem,cgroups/pids,namespaces/pid',
        cgroups_root: cgroupsRoot,
        cgroups_max_pids: 32,
      },
      '/slave(1)/health',
    );
    framework = new TestFramework(master.address, { name: 'isolated' }).start();
  });

  afterAll(async () => {
    await framework?.scheduler.teardown().catch(() => framework.scheduler.stop());
    await agent?.stop();
    await master?.stop();
    for (const controller of ['memory', 'cpu', 'cpuacct', 'pids', '.']) {
      try {
        rmdirSync(join('/sys/fs/cgroup', controller, cgroupsRoot));
      } catch {
        // not created for this controller, or already gone
      }
    }
  });

  it('runs a task as pid 1 of its namespace, reports cgroup usage, and fails a memory hog with the memory reason', async () => {
    await launch('whoami', 'echo "pid=$$"; sleep 30', 0.5, 64);
    await framework.update('whoami', 'TASK_RUNNING');
    // TASK_RUNNING comes once the launcher's child has joined the cgroups; it then execs
    // `unshare`, which forks the task's shell: on a loaded machine the second process shows a
    // moment later.
    const mine = await until('two processes in the container cgroup', 10_000, async () => {
      const statistics = (await (await fetch(`${agent.url}/monitor/statistics`)).json()) as { executor_id: string; statistics: Record<string, number> }[];
      const found = statistics.find((s) => s.executor_id === 'whoami');
      return found !== undefined && (found.statistics['processes'] ?? 0) >= 2 ? found : undefined; // unshare and the task's shell
    });
    expect(mine.statistics['mem_limit_bytes']).toBe(64 * 1024 * 1024);
    const state = (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as { frameworks: { executors: { id: string; directory: string }[] }[] };
    const directory = state.frameworks[0]!.executors.find((e) => e.id === 'whoami')!.directory;
    let out = '';
    for (let i = 0; i < 100 && !out.includes('pid='); i++) {
      out = ((await (await fetch(`${agent.url}/files/read?path=${encodeURIComponent(`${directory}/stdout`)}`)).json()) as { data: string }).data;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(out.trim()).toBe('pid=1');
    await framework.scheduler.kill('whoami');
    await framework.update('whoami', 'TASK_KILLED');

    await launch('hog', `perl -e '$x = "a" x (256 * 1024 * 1024); sleep 5'`, 0.5, 32);
    const failed = await framework.update('hog', 'TASK_FAILED');
    expect(failed.type === 'UPDATE' && failed.update!.status.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.type === 'UPDATE' && failed.update!.status.message).toContain('Memory limit exceeded');
  });
});
