import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandTask, Scheduler } from '@ts-mesos/scheduler';
import { daemon, flag, poll } from './daemons.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * `npm run bench -- recovery [--tasks=200] [--rounds=3]`: a master and an agent as real
 * processes with N running `sleep` tasks; the agent is killed with SIGKILL and started again on
 * the same work_dir. Reports the time from the new agent process to its endpoints answering,
 * to re-registering with the master, and to every task being reported running again by the
 * agent; the same-run baseline is a fresh agent (no work_dir) registering.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const tasks = flag(args, 'tasks', 200);
  const rounds = flag(args, 'rounds', 3);
  const dir = mkdtempSync(join(tmpdir(), 'bench-recovery-'));
  const port = 26000 + (process.pid % 500) * 8;
  const master = daemon('mesos-master', [`--port=${port}`, '--registry=in_memory', '--allocation_interval=50ms']);
  const agentFlags = (workDir: string, p: number) => [`--port=${p}`, `--master=127.0.0.1:${port}`, `--work_dir=${workDir}`, `--resources=cpus:${Math.ceil(tasks * 0.01) + 1};mem:${tasks * 8 + 64}`, '--registration_backoff_factor=10ms'];
  const metric = async (name: string): Promise<number> => ((await (await fetch(`http://127.0.0.1:${port}/metrics/snapshot`)).json()) as Record<string, number>)[name] ?? 0;
  let agent = daemon('mesos-agent', agentFlags(join(dir, 'agent'), port + 1));
  let launched = 0;
  const scheduler = new Scheduler({ master: `127.0.0.1:${port}`, framework: { user: 'root', name: 'bench-recovery', failover_timeout: 3600 } }, async (event, s) => {
    if (event.type !== 'OFFERS') return;
    for (const offer of event.offers!.offers) {
      const running = launched;
      const want = Math.min(tasks - running, 100);
      launched += Math.max(0, want);
      if (want <= 0) {
        await s.decline([offer.id.value], { refuse_seconds: 3600 });
        continue;
      }
      const infos = Array.from({ length: want }, (_, i) => commandTask(`t${running + i}`, offer.agent_id, 0.01, 8, 'sleep 3600', 'sleep'));
      await s.launch([offer.id.value], infos, { refuse_seconds: 0 });
    }
  });
  const times = { health: [] as number[], reregistered: [] as number[], allRunning: [] as number[], fresh: [] as number[] };
  try {
    await master.ready(`http://127.0.0.1:${port}/health`);
    await agent.ready(`http://127.0.0.1:${port + 1}/slave(1)/health`);
    scheduler.start();
    await poll(`${tasks} running tasks`, async () => (await metric('master/tasks_running')) >= tasks, 300_000);
    process.stdout.write(`${tasks} tasks running\n`);
    const runningOnAgent = async (): Promise<number> => ((await (await fetch(`http://127.0.0.1:${port + 1}/metrics/snapshot`)).json()) as Record<string, number>)['slave/tasks_running'] ?? 0;
    for (let round = 0; round < rounds; round++) {
      agent.stop('SIGKILL');
      await agent.exited;
      const before = await metric('master/slave_reregistrations');
      const started = performance.now();
      agent = daemon('mesos-agent', agentFlags(join(dir, 'agent'), port + 1));
      await agent.ready(`http://127.0.0.1:${port + 1}/slave(1)/health`);
      times.health.push(performance.now() - started);
      await poll('re-registration', async () => (await metric('master/slave_reregistrations')) > before);
      times.reregistered.push(performance.now() - started);
      await poll('every task running on the agent', async () => (await runningOnAgent()) >= tasks);
      times.allRunning.push(performance.now() - started);
      process.stdout.write(`round ${round + 1}: endpoints ${times.health.at(-1)!.toFixed(0)} ms, re-registered ${times.reregistered.at(-1)!.toFixed(0)} ms, ${tasks} tasks running ${times.allRunning.at(-1)!.toFixed(0)} ms after the restart\n`);
      // Baseline: a fresh agent with nothing to recover, from process start to registered.
      const registrations = await metric('master/slave_registrations');
      const freshStarted = performance.now();
      // A new address each round: an agent registering again from a known address is the same agent to the master.
      const fresh = daemon('mesos-agent', agentFlags(join(dir, `fresh-${round}`), port + 2 + round));
      await poll('a fresh agent to register', async () => (await metric('master/slave_registrations')) > registrations);
      times.fresh.push(performance.now() - freshStarted);
      fresh.stop('SIGKILL');
      await fresh.exited;
    }
  } finally {
    // Tasks outlive their agent by design: tear down and let the agent kill them before it goes.
    await scheduler.teardown().catch(() => undefined);
    await poll('the tasks to be killed', async () => ((await (await fetch(`http://127.0.0.1:${port + 1}/metrics/snapshot`)).json()) as Record<string, number>)['slave/tasks_running'] === 0, 30_000).catch(() => undefined);
    await scheduler.stop();
    agent.stop('SIGKILL');
    master.stop('SIGKILL');
    await Promise.all([agent.exited, master.exited]);
    rmSync(dir, { recursive: true, force: true });
  }
  const reregistered = median(times.reregistered);
  const fresh = median(times.fresh);
  process.stdout.write(`median: re-registered ${reregistered.toFixed(0)} ms, all ${tasks} tasks running ${median(times.allRunning).toFixed(0)} ms; a fresh agent registers in ${fresh.toFixed(0)} ms (ratio ${(reregistered / fresh).toFixed(2)})\n`);
  return {
    tasks,
    rounds,
    endpoints_median_ms: Math.round(median(times.health)),
    reregistered_median_ms: Math.round(reregistered),
    all_running_median_ms: Math.round(median(times.allRunning)),
    fresh_agent_registered_median_ms: Math.round(fresh),
    ratio_vs_fresh_agent: Number((reregistered / fresh).toFixed(2)),
  };
}
