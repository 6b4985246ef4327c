import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { orThrow, Resources } from '@ts-mesos/protocol';
import { commandTask, Scheduler } from '@ts-mesos/scheduler';
import { get } from 'node:http';
import { daemon, flag, poll as pollEvery, processCpu } from './daemons.js';

/**
 * GETs a URL and reads the answer to its last byte, keeping none of it: the 30 MB of
 * `/master/state` at 50,000 agents, gathered into one buffer by `fetch`, cost this process
 * (which shares the machine with the master) seconds of CPU per run.
 */
function readToEnd(url: string): Promise<number> {
  return new Promise((resolveRead, reject) => {
    get(url, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.once('end', () => resolveRead(bytes));
      res.once('error', reject);
    }).once('error', reject);
  });
}

const poll = (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> => pollEvery(what, check, timeoutMs, 250);

const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

interface Phase {
  agents: number;
  registration_s: number;
  tasks_per_s: number;
  accept_to_running_p50_ms: number;
  accept_to_running_p99_ms: number;
  /** The two legs of ACCEPT -> RUNNING, split by the agent's timestamp on its update (one machine, one clock). */
  accept_to_agent_p50_ms: number;
  accept_to_agent_p99_ms: number;
  agent_to_framework_p50_ms: number;
  agent_to_framework_p99_ms: number;
  event_loop_delay_p99_ms: number;
  event_loop_delay_max_ms: number;
  master_rss_mib: number;
  state_median_ms: number;
  offers_per_task: number;
  /**
   * CPU per task that reached RUNNING in the window, in ms: the master's (all its threads), the
   * harness's (the simulated agents' processes and this one, with its 200 schedulers), and what
   * both together used of the machine's cores (%). All share one machine: this says where the
   * CPU goes, and how close the machine is to running out of it.
   */
  master_cpu_ms_per_task: number;
  harness_cpu_ms_per_task: number;
  machine_cpu_used_pct: number;
  /** busy: the most tasks/s the frameworks ask for (every slot relaunched as its task ends). */
  demand_tasks_per_s?: number;
  /** busy: how long the first filling of the cluster took, and its rate (from the first subscription). */
  warmup_s?: number;
  fill_tasks_per_s?: number;
}

/**
 * `churn` (the default): agents of 16 cpus and 64 GiB, nearly idle; each framework uses 5
 * offers of an OFFERS event for 5 small tasks each and declines the rest. Most of the master's
 * work is offers made and declined (several per task launched).
 * `busy`: small agents that the frameworks keep full: every offer is used for as many tasks
 * as fit, updates are acknowledged, and the handler does not wait for its calls. Offers are
 * then made for what finished tasks free, about one per task, and what is measured is the
 * master's cost of a task.
 */
type Workload = 'churn' | 'busy';

interface PhaseOptions {
  workload: Workload;
  frameworks: number;
  hosts: number;
  seconds: number;
  taskMs: number;
  offersPerEvent: number;
  tasksPerOffer: number;
  refuseSeconds: number;
  agentCpus: number;
  agentMem: number;
  taskCpus: number;
  taskMem: number;
  warmupSeconds: number;
  /** Seconds between `/master/state` calls in the window (0: none; state_median_ms is then -1). */
  stateEverySeconds: number;
  port: number;
}

/** How many tasks of `options`' size fit in `cpus` and `mem`. */
const tasksThatFit = (cpus: number, mem: number, options: PhaseOptions): number => Math.floor(Math.min(cpus / options.taskCpus, mem / options.taskMem) + 1e-9);

/** One cluster size: a fresh master, simulated agents in `hosts` processes, `frameworks` schedulers launching for `seconds`. */
async function phase(agents: number, options: PhaseOptions): Promise<Phase> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const url = `http://127.0.0.1:${options.port}`;
  const master = daemon('mesos-master', [`--port=${options.port}`, `--work_dir=${dir}`, '--max_completed_tasks_per_framework=100', '--max_completed_frameworks=10']);
  const hosts: ChildProcess[] = [];
  const schedulers: Scheduler[] = [];
  const metrics = async (): Promise<Record<string, number>> => (await (await fetch(`${url}/metrics/snapshot`)).json()) as Record<string, number>;
  try {
    await master.ready(`${url}/health`);
    await metrics(); // starts the master's event-loop monitor
    const resources = JSON.stringify([
      { name: 'cpus', type: 'SCALAR', scalar: { value: options.agentCpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: options.agentMem } },
      { name: 'disk', type: 'SCALAR', scalar: { value: 100_000 } },
    ]);
    const started = performance.now();
    const per = Math.ceil(agents / options.hosts);
    for (let h = 0; h < options.hosts; h++) {
      const count = Math.min(per, agents - h * per);
      if (count <= 0) break;
      const child = spawn(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', resolve(import.meta.dirname, 'sim-agents.ts'), `master@127.0.0.1:${options.port}`, String(h * per + 1), String(count), String(options.taskMs), resources], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      hosts.push(child);
    }
    await poll(`${agents} agents registered`, async () => (await metrics())['master/slaves_active'] === agents, 600_000);
    const registrationS = (performance.now() - started) / 1000;
    process.stdout.write(`${agents} agents registered in ${registrationS.toFixed(1)} s\n`);

    const busy = options.workload === 'busy';
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const toAgent: number[] = [];
    const toFramework: number[] = [];
    let running = 0;
    let runningEver = 0;
    let measuring = false;
    /** When the window opened: latencies are of tasks accepted within it (not of the warm-up's queue draining). */
    let measureFromMs = Infinity;
    let next = 0;
    for (let f = 0; f < options.frameworks; f++) {
      const scheduler = new Scheduler(
        // churn: no acknowledgements (the simulated agents do not retry; the master keeps every
        // task it was not told the end of was seen). busy: acknowledged, as frameworks do.
        { master: `127.0.0.1:${options.port}`, framework: { user: 'root', name: `bench-${f}` }, autoAcknowledge: busy },
        async (event, s) => {
          if (event.type === 'UPDATE' && event.update!.status.state === 'TASK_RUNNING') {
            runningEver++;
            const sent = sentAt.get(event.update!.status.task_id.value);
            if (measuring && sent !== undefined) {
              running++;
              if (sent >= measureFromMs) {
                const now = performance.now();
                latencies.push(now - sent);
                const at = event.update!.status.timestamp;
                if (at !== undefined) {
                  const agentAt = at * 1000 - performance.timeOrigin;
                  toAgent.push(agentAt - sent);
                  toFramework.push(now - agentAt);
                }
              }
            }
            sentAt.delete(event.update!.status.task_id.value);
          }
          if (event.type !== 'OFFERS') return;
          const offers = event.offers!.offers;
          if (busy) {
            // Every offer filled; the calls are not waited for, so updates are not held behind them.
            const declined: string[] = [];
            for (const offer of offers) {
              const offered = orThrow(Resources.fromJson(offer.resources));
              const fit = tasksThatFit(offered.cpus(), offered.mem(), options);
              if (fit < 1) {
                declined.push(offer.id.value);
                continue;
              }
              const tasks = Array.from({ length: fit }, () => {
                const id = `t${next++}`;
                sentAt.set(id, performance.now());
                return commandTask(id, offer.agent_id, options.taskCpus, options.taskMem, 'true', 'short');
              });
              s.launch([offer.id.value], tasks, { refuse_seconds: options.refuseSeconds }).catch(() => undefined);
            }
            if (declined.length > 0) s.decline(declined, { refuse_seconds: options.refuseSeconds }).catch(() => undefined);
            return;
          }
          const used = offers.slice(0, options.offersPerEvent);
          const declined = offers.slice(options.offersPerEvent).map((o) => o.id.value);
          const calls: Promise<void>[] = used.map((offer) => {
            const tasks = Array.from({ length: options.tasksPerOffer }, () => {
              const id = `t${next++}`;
              sentAt.set(id, performance.now());
              return commandTask(id, offer.agent_id, options.taskCpus, options.taskMem, 'true', 'short');
            });
            return s.launch([offer.id.value], tasks, { refuse_seconds: 1 });
          });
          if (declined.length > 0) calls.push(s.decline(declined, { refuse_seconds: options.refuseSeconds }));
          await Promise.all(calls).catch(() => undefined);
        },
      );
      schedulers.push(scheduler);
      scheduler.start();
    }
    // Warm-up: subscriptions and the first offers; busy, also the first filling of the cluster
    // (every slot launched at once), up to --warmup_s.
    const warmupStarted = performance.now();
    await new Promise((r) => setTimeout(r, 5000));
    const slots = agents * tasksThatFit(options.agentCpus, options.agentMem, options);
    if (busy) {
      while (runningEver < 0.95 * slots && performance.now() - warmupStarted < options.warmupSeconds * 1000) await new Promise((r) => setTimeout(r, 500));
      process.stdout.write(`warm-up: ${runningEver} of ${slots} slots RUNNING after ${((performance.now() - warmupStarted) / 1000).toFixed(1)} s\n`);
    }
    const warmupS = (performance.now() - warmupStarted) / 1000;
    const filled = runningEver;
    measuring = true;
    measureFromMs = performance.now();
    const offersBefore = (await metrics())['master/offers_made'] ?? 0;
    const cpu = (): { master: number; harness: number } => {
      const own = process.cpuUsage();
      return { master: processCpu(master.pid).own, harness: hosts.reduce((sum, h) => sum + processCpu(h.pid).own, 0) + (own.user + own.system) / 1e6 };
    };
    const cpuBefore = cpu();
    const windowStart = performance.now();
    const stateTimes: number[] = [];
    while (performance.now() - windowStart < options.seconds * 1000) {
      const left = options.seconds * 1000 - (performance.now() - windowStart);
      await new Promise((r) => setTimeout(r, options.stateEverySeconds > 0 ? options.stateEverySeconds * 1000 : left));
      if (options.stateEverySeconds <= 0) continue;
      const t = performance.now();
      await readToEnd(`${url}/master/state`);
      stateTimes.push(performance.now() - t);
    }
    measuring = false;
    const windowS = (performance.now() - windowStart) / 1000;
    const cpuAfter = cpu();
    const perTask = (seconds: number): number => (running > 0 ? Number(((seconds * 1000) / running).toFixed(2)) : -1);
    const offersMade = ((await metrics())['master/offers_made'] ?? 0) - offersBefore;
    // The master's lag metric is over fixed 10 s windows: after 20.5 s the last complete one
    // lies wholly after the last /master/state above (which blocks the master's loop while it
    // is built), so it is the steady state of launching alone.
    await new Promise((r) => setTimeout(r, 20_500));
    const m = await metrics();
    const result: Phase = {
      agents,
      registration_s: Number(registrationS.toFixed(1)),
      tasks_per_s: Math.round(running / windowS),
      accept_to_running_p50_ms: Math.round(percentile(latencies, 50)),
      accept_to_running_p99_ms: Math.round(percentile(latencies, 99)),
      accept_to_agent_p50_ms: Math.round(percentile(toAgent, 50)),
      accept_to_agent_p99_ms: Math.round(percentile(toAgent, 99)),
      agent_to_framework_p50_ms: Math.round(percentile(toFramework, 50)),
      agent_to_framework_p99_ms: Math.round(percentile(toFramework, 99)),
      event_loop_delay_p99_ms: m['system/event_loop_delay_p99_ms'] ?? -1,
      event_loop_delay_max_ms: m['system/event_loop_delay_max_ms'] ?? -1,
      master_rss_mib: Math.round((m['system/process_rss_bytes'] ?? 0) / 1024 / 1024),
      state_median_ms: stateTimes.length > 0 ? Math.round(percentile(stateTimes, 50)) : -1,
      offers_per_task: running > 0 ? Number((offersMade / running).toFixed(1)) : 0,
      master_cpu_ms_per_task: perTask(cpuAfter.master - cpuBefore.master),
      harness_cpu_ms_per_task: perTask(cpuAfter.harness - cpuBefore.harness),
      machine_cpu_used_pct: Math.round(((cpuAfter.master - cpuBefore.master + cpuAfter.harness - cpuBefore.harness) / windowS / availableParallelism()) * 100),
      ...(busy ? { demand_tasks_per_s: Math.round(slots / (options.taskMs / 1000)), warmup_s: Number(warmupS.toFixed(1)), fill_tasks_per_s: Math.round(filled / warmupS) } : {}),
    };
    process.stdout.write(
      `${agents} agents, ${options.frameworks} frameworks: ${result.tasks_per_s} tasks/s to RUNNING; ACCEPT -> RUNNING p50 ${result.accept_to_running_p50_ms} ms, p99 ${result.accept_to_running_p99_ms} ms (ACCEPT -> agent p50 ${result.accept_to_agent_p50_ms}, p99 ${result.accept_to_agent_p99_ms}; agent -> framework p50 ${result.agent_to_framework_p50_ms}, p99 ${result.agent_to_framework_p99_ms}); master event loop late p99 ${result.event_loop_delay_p99_ms} ms (max ${result.event_loop_delay_max_ms}); RSS ${result.master_rss_mib} MiB; /master/state ${result.state_median_ms} ms; ${result.offers_per_task} offers made per task launched; CPU per task: master ${result.master_cpu_ms_per_task} ms, harness ${result.harness_cpu_ms_per_task} ms (${result.machine_cpu_used_pct} % of the machine's cores)${busy ? `; the frameworks ask for at most ${result.demand_tasks_per_s} tasks/s` : ''}\n`,
    );
    return result;
  } finally {
    await Promise.all(schedulers.map((s) => s.stop()));
    for (const h of hosts) h.kill('SIGKILL');
    master.stop(); // SIGKILL, or SIGTERM with BENCH_STOP=TERM (so --cpu-prof writes its profile)
    await master.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- scale [--workload=churn|busy] [--agents=1000,10000] [--frameworks=200] [--hosts=4] [--seconds=30]
 * [--task_ms=2000] [--offers_per_event=5] [--tasks_per_offer=5] [--refuse_seconds=1] [--agent_cpus=16]
 * [--agent_mem=65536] [--task_cpus=0.1] [--task_mem=32] [--warmup_s=180] [--state_every_s=5]` (busy's defaults: agents of 1 cpu and
 * 1 GiB, tasks of 0.5 cpu and 512 MiB lasting 20 s; see `Workload`): a real mesos-master process,
 * simulated agents over the real transport (thousands per process, in `hosts` processes), and
 * `frameworks` schedulers launching short tasks (churn: each uses `offers_per_event` offers of an
 * OFFERS event and declines the rest for `refuse_seconds`; busy: each fills every offer). For each
 * cluster size: registration time,
 * steady-state launches (tasks/s reaching RUNNING), ACCEPT -> RUNNING p50/p99, the master's
 * event-loop delay p99 and RSS, and `/master/state` latency under that load. The first size is
 * the same-run baseline: the ratio is the last size's throughput to it.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const sizes = (args.find((a) => a.startsWith('--agents='))?.slice('--agents='.length) ?? '1000,10000').split(',').map(Number);
  const workload = args.find((a) => a.startsWith('--workload='))?.slice('--workload='.length) ?? 'churn';
  if (workload !== 'churn' && workload !== 'busy') throw new Error(`--workload must be churn or busy, not '${workload}'`);
  const busy = workload === 'busy';
  const options: PhaseOptions = {
    workload,
    frameworks: flag(args, 'frameworks', 200),
    hosts: flag(args, 'hosts', 4),
    seconds: flag(args, 'seconds', 30),
    taskMs: flag(args, 'task_ms', busy ? 20_000 : 2000),
    offersPerEvent: flag(args, 'offers_per_event', 5),
    tasksPerOffer: flag(args, 'tasks_per_offer', 5),
    refuseSeconds: flag(args, 'refuse_seconds', 1),
    agentCpus: flag(args, 'agent_cpus', busy ? 1 : 16),
    agentMem: flag(args, 'agent_mem', busy ? 1024 : 65_536),
    taskCpus: flag(args, 'task_cpus', busy ? 0.5 : 0.1),
    taskMem: flag(args, 'task_mem', busy ? 512 : 32),
    warmupSeconds: flag(args, 'warmup_s', 180),
    stateEverySeconds: flag(args, 'state_every_s', 5),
    port: 11_000 + (process.pid % 1000) * 20, // above fetch()'s last bad port (10080), below the ephemeral range
  };
  const phases: Phase[] = [];
  for (const agents of sizes) phases.push(await phase(agents, options));
  const first = phases[0]!;
  const last = phases.at(-1)!;
  const ratio = first.tasks_per_s > 0 ? last.tasks_per_s / first.tasks_per_s : 0;
  process.stdout.write(`throughput at ${last.agents} agents is ${ratio.toFixed(2)} x that at ${first.agents}\n`);
  const out: Record<string, number> = { frameworks: options.frameworks, ratio_tasks_per_s_vs_smallest: Number(ratio.toFixed(2)) };
  const prefix = busy ? 'busy_' : '';
  for (const p of phases) for (const [k, v] of Object.entries(p)) if (k !== 'agents') out[`${prefix}a${p.agents}_${k}`] = v;
  return out;
}
