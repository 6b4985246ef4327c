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

interface Cpu {
  master: number;
  agent: number;
  framework: number;
  launcher: number;
  containers: number;
}

interface Round {
  seconds: number;
  latencies: number[];
  cpu: Cpu;
}

/** CPU seconds so far of the daemons, this process (the framework), and the agent's launcher and the containers it has waited for. */
function cpuNow(masterPid: number | undefined, agentPid: number | undefined): Cpu {
  const used = process.cpuUsage();
  const launcher = childPids(agentPid).map(processCpu).reduce((a, b) => ({ own: a.own + b.own, children: a.children + b.children }), { own: 0, children: 0 });
  return { master: processCpu(masterPid).own, agent: processCpu(agentPid).own, framework: (used.user + used.system) / 1e6, launcher: launcher.own, containers: launcher.children };
}

/** One framework launches `tasks` tasks of `true` as fast as offers allow, timed from its first offer to the last TASK_FINISHED. */
async function round(tasks: number, name: string, port: number, masterPid: number | undefined, agentPid: number | undefined): Promise<Round> {
  const acceptedAt = new Map<string, number>();
  const latencies: number[] = [];
  let launched = 0;
  let finished = 0;
  let started = 0;
  let cpuAtStart: Cpu | undefined;
  await new Promise<void>((resolveDone, reject) => {
    const scheduler = new Scheduler({ master: `127.0.0.1:${port}`, framework: { user: 'root', name } }, async (event, s) => {
      if (event.type === 'OFFERS') {
        if (started === 0) {
          started = performance.now();
          cpuAtStart = cpuNow(masterPid, agentPid);
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
  const seconds = (performance.now() - started) / 1000;
  // From the first offer to the last TASK_FINISHED; the launcher has waited for every container it started.
  const end = cpuNow(masterPid, agentPid);
  const begin = cpuAtStart!;
  const cpu: Cpu = { master: end.master - begin.master, agent: end.agent - begin.agent, framework: end.framework - begin.framework, launcher: end.launcher - begin.launcher, containers: end.containers - begin.containers };
  latencies.sort((a, b) => a - b);
  return { seconds, latencies, cpu };
}

/**
 * `npm run bench -- launch [--tasks=1000] [--rounds=1]`: one master and one agent as real
 * processes; one framework launches `true` tasks as fast as offers allow. Reports tasks/s to
 * TASK_FINISHED, ACCEPT -> TASK_RUNNING latency, the CPU each part used, and the same launches
 * done by the containerizer alone. The first round is on daemons just started, whose code V8
 * compiles as it first runs; with `--rounds` more, further frameworks launch as many tasks
 * each on the same daemons, and the JSON gives the first round and the last.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const tasks = flag(args, 'tasks', 1000);
  const rounds = Math.max(1, flag(args, 'rounds', 1));
  const dir = mkdtempSync(join(tmpdir(), 'bench-launch-'));
  const port = 25000 + (process.pid % 1000) * 2;
  const master = daemon('mesos-master', [`--port=${port}`, '--registry=in_memory', '--allocation_interval=50ms']);
  const agent = daemon('mesos-agent', [`--port=${port + 1}`, `--master=127.0.0.1:${port}`, `--work_dir=${join(dir, 'agent')}`, '--resources=cpus:64;mem:65536']);
  try {
    await master.ready(`http://127.0.0.1:${port}/health`);
    await agent.ready(`http://127.0.0.1:${port + 1}/slave(1)/health`);
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      const result = await round(tasks, `bench-launch-${r + 1}`, port, master.pid, agent.pid);
      results.push(result);
      const tasksPerS = tasks / result.seconds;
      const total = Object.values(result.cpu).reduce((a, b) => a + b, 0);
      const label = rounds > 1 ? `round ${r + 1}: ` : '';
      console.log(`${label}${tasks} tasks to TASK_FINISHED in ${result.seconds.toFixed(2)} s: ${tasksPerS.toFixed(0)} tasks/s (target: ${tasks} in < 5 s)`);
      console.log(`${label}ACCEPT -> TASK_RUNNING: p50 ${percentile(result.latencies, 50).toFixed(1)} ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms`);
      console.log(
        `${label}CPU during the run: ${Object.entries(result.cpu)
          .map(([name, s]) => `${name} ${s.toFixed(2)} s`)
          .join(', ')}; ${total.toFixed(2)} s in all, ${((total / result.seconds) * 100).toFixed(0)} % of one core (${((total / tasks) * 1000).toFixed(1)} ms a task)`,
      );
    }
    const base = await baseline(tasks, dir);
    const first = results[0]!;
    const firstPerS = tasks / first.seconds;
    console.log(`baseline (containerizer alone, no master/agent): ${base.toFixed(0)} launches/s; ratio ${(firstPerS / base).toFixed(2)}${rounds > 1 ? ' (first round)' : ''}`);
    const figures = (r: Round, prefix: string): Record<string, number> => ({
      [`${prefix}total_s`]: Number(r.seconds.toFixed(3)),
      [`${prefix}tasks_per_s`]: Math.round(tasks / r.seconds),
      [`${prefix}accept_to_running_p50_ms`]: Number(percentile(r.latencies, 50).toFixed(1)),
      [`${prefix}accept_to_running_p99_ms`]: Number(percentile(r.latencies, 99).toFixed(1)),
      ...(prefix === '' ? { baseline_launches_per_s: Math.round(base), ratio_vs_baseline: Number((tasks / r.seconds / base).toFixed(2)) } : {}),
      [`${prefix}master_cpu_s`]: Number(r.cpu.master.toFixed(2)),
      [`${prefix}agent_cpu_s`]: Number(r.cpu.agent.toFixed(2)),
      [`${prefix}framework_cpu_s`]: Number(r.cpu.framework.toFixed(2)),
      [`${prefix}launcher_cpu_s`]: Number(r.cpu.launcher.toFixed(2)),
      [`${prefix}containers_cpu_s`]: Number(r.cpu.containers.toFixed(2)),
    });
    return { tasks, ...figures(first, ''), ...(rounds > 1 ? { rounds, ...figures(results.at(-1)!, 'last_round_') } : {}) };
  } finally {
    agent.stop();
    master.stop();
    await Promise.all([agent.exited, master.exited]);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); // 2,000 sandboxes a round: each run's would stay in /tmp
  }
}
