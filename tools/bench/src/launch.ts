import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PosixContainerizer } from '@ts-mesos/containerizer';
import { ContainerId, Resources } from '@ts-mesos/protocol';
import { commandTask, Scheduler } from '@ts-mesos/scheduler';
import { childPids, daemon, flag, processCpu } from './daemons.js';

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** The floor: the same containerizer launching and waiting for `true` directly, no master or agent. */
async function baseline(tasks: number, dir: string): Promise<number> {
  const containerizer = new PosixContainerizer({ runtimeDir: join(dir, 'baseline-containers') });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: tasks }, async (_, i) => {
      const id = ContainerId(`b${i}`);
      const sandboxDir = join(dir, 'baseline', id);
      mkdirSync(sandboxDir, { recursive: true });
      await containerizer.launch({ containerId: id, sandboxDir, command: { value: 'true' }, environment: {}, resources: Resources.EMPTY });
      await containerizer.wait(id);
    }),
  );
  return tasks / ((performance.now() - started) / 1000);
}

/**
 * `npm run bench -- launch [--tasks=1000]`: one master and one agent as real processes; one
 * framework launches `true` tasks as fast as offers allow. Reports tasks/s to TASK_FINISHED,
 * ACCEPT -> TASK_RUNNING latency, and the same launches done by the containerizer alone.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const tasks = flag(args, 'tasks', 1000);
  const dir = mkdtempSync(join(tmpdir(), 'bench-launch-'));
  const port = 25000 + (process.pid % 1000) * 2;
  const master = daemon('mesos-master', [`--port=${port}`, '--registry=in_memory', '--allocation_interval=50ms']);
  const agent = daemon('mesos-agent', [`--port=${port + 1}`, `--master=127.0.0.1:${port}`, `--work_dir=${join(dir, 'agent')}`, '--resources=cpus:64;mem:65536']);
  try {
    await master.ready(`http://127.0.0.1:${port}/health`);
    await agent.ready(`http://127.0.0.1:${port + 1}/slave(1)/health`);
    const acceptedAt = new Map<string, number>();
    const latencies: number[] = [];
    let launched = 0;
    let finished = 0;
    let started = 0;
    let cpuAtStart = { master: 0, agent: 0, framework: 0 };
    const frameworkCpu = (): number => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1e6;
    };
    const done = new Promise<void>((resolveDone, reject) => {
      const scheduler = new Scheduler({ master: `127.0.0.1:${port}`, framework: { user: 'root', name: 'bench-launch' } }, async (event, s) => {
        if (event.type === 'OFFERS') {
          if (started === 0) {
            started = performance.now();
            cpuAtStart = { master: processCpu(master.pid).own, agent: processCpu(agent.pid).own, framework: frameworkCpu() };
          }
          for (const offer of event.offers!.offers) {
            const offered = Resources.fromJson(offer.resources);
            const fit = offered.ok ? Math.min(Math.floor(offered.value.cpus() / 0.05), Math.floor(offered.value.mem() / 32)) : 0;
            const batch = Math.min(fit, tasks - launched);
            if (batch <= 0) {
              await s.decline([offer.id.value]);
              continue;
            }
            const infos = Array.from({ length: batch }, () => {
              const id = `t${launched++}`;
              acceptedAt.set(id, performance.now());
              return commandTask(id, offer.agent_id, 0.05, 32, 'true');
            });
            await s.launch([offer.id.value], infos, { refuse_seconds: 0 });
          }
        } else if (event.type === 'UPDATE') {
          const status = event.update!.status;
          if (status.state === 'TASK_RUNNING') latencies.push(performance.now() - (acceptedAt.get(status.task_id.value) ?? performance.now()));
          else if (status.state === 'TASK_FINISHED') {
            finished++;
            if (finished % 250 === 0) console.log(`  ${finished}/${tasks} finished`);
            if (finished === tasks) {
              resolveDone();
              void scheduler.stop();
            }
          } else if (status.state !== 'TASK_STARTING') reject(new Error(`Task ${status.task_id.value} ended ${status.state}: ${status.message ?? ''}`));
        }
      });
      scheduler.start();
    });
    await done;
    const seconds = (performance.now() - started) / 1000;
    // CPU seconds from the first offer to the last TASK_FINISHED; the launcher (the agent's
    // child) started with the first task, and has waited for every container it started.
    const launcher = childPids(agent.pid).map(processCpu).reduce((a, b) => ({ own: a.own + b.own, children: a.children + b.children }), { own: 0, children: 0 });
    const cpu = {
      master: processCpu(master.pid).own - cpuAtStart.master,
      agent: processCpu(agent.pid).own - cpuAtStart.agent,
      framework: frameworkCpu() - cpuAtStart.framework,
      launcher: launcher.own,
      containers: launcher.children,
    };
    latencies.sort((a, b) => a - b);
    const base = await baseline(tasks, dir);
    const tasksPerS = tasks / seconds;
    console.log(`${tasks} tasks to TASK_FINISHED in ${seconds.toFixed(2)} s: ${tasksPerS.toFixed(0)} tasks/s (target: ${tasks} in < 5 s)`);
    console.log(`ACCEPT -> TASK_RUNNING: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`baseline (containerizer alone, no master/agent): ${base.toFixed(0)} launches/s; ratio ${(tasksPerS / base).toFixed(2)}`);
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    console.log(
      `CPU during the run: ${Object.entries(cpu)
        .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
        .join(', ')}; ${total.toFixed(2)} s in all, ${((total / seconds) * 100).toFixed(0)} % of one core (${(total / tasks * 1000).toFixed(1)} ms a task)`,
    );
    return {
      tasks,
      total_s: Number(seconds.toFixed(3)),
      tasks_per_s: Math.round(tasksPerS),
      accept_to_running_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      accept_to_running_p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      baseline_launches_per_s: Math.round(base),
      ratio_vs_baseline: Number((tasksPerS / base).toFixed(2)),
      master_cpu_s: Number(cpu.master.toFixed(2)),
      agent_cpu_s: Number(cpu.agent.toFixed(2)),
      framework_cpu_s: Number(cpu.framework.toFixed(2)),
      launcher_cpu_s: Number(cpu.launcher.toFixed(2)),
      containers_cpu_s: Number(cpu.containers.toFixed(2)),
    };
  } finally {
    agent.stop();
    master.stop();
    await Promise.all([agent.exited, master.exited]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); // 2,000 sandboxes: each run's would stay in /tmp
  }
}
