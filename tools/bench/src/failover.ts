import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandTask, Scheduler } from '@ts-mesos/scheduler';
import { ZkSession } from '@ts-mesos/zk-election';
import { daemon, flag, poll as pollEvery } from './daemons.js';

const poll = (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => pollEvery(what, check, timeoutMs, 25);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function metrics(port: number): Promise<Record<string, number>> {
  return (await (await fetch(`http://127.0.0.1:${port}/metrics/snapshot`)).json()) as Record<string, number>;
}

/**
 * The floor any ZooKeeper-based failover pays: from SIGKILL of a process holding an ephemeral
 * znode to ZooKeeper deleting it (the session timeout, rounded to the ensemble's tick).
 */
async function sessionExpiryMs(servers: string, sessionMs: number): Promise<number> {
  const session = await ZkSession.connect(servers, { sessionTimeoutMs: sessionMs });
  const path = `/ts-mesos-bench-expiry-${randomUUID()}`;
  const child = spawn(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', resolve(import.meta.dirname, 'zk-member.ts'), servers, path, String(sessionMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready()));
  const started = performance.now();
  child.kill('SIGKILL');
  await poll('the ephemeral znode to go', async () => (await session.exists(path)) === undefined, 60_000);
  const elapsed = performance.now() - started;
  session.close();
  return elapsed;
}

/**
 * `npm run bench -- failover [--masters=3] [--agents=20] [--tasks=1000] [--rounds=3] [--session_ms=2000]`:
 * masters elected through the ZooKeeper ensemble (TS_MESOS_ZK_ENSEMBLE, default the one
 * tools/services starts), agents (in one process) and a framework following the leader, N running `sleep`
 * tasks. Each round SIGKILLs the leader and measures the time to a new leader elected, all
 * agents re-registered, the framework re-subscribed, and every task known running again; the
 * killed master then comes back as a standby. Baseline in the same run: how long ZooKeeper
 * takes to expire a killed client's session with the same timeout — the part no ZooKeeper
 * failover can avoid.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const masterCount = flag(args, 'masters', 3);
  const agentCount = flag(args, 'agents', 20);
  const tasks = flag(args, 'tasks', 1000);
  const rounds = flag(args, 'rounds', 3);
  const sessionMs = flag(args, 'session_ms', 2000);
  const servers = process.env.TS_MESOS_ZK_ENSEMBLE ?? '127.0.0.1:2182,127.0.0.1:2183,127.0.0.1:2184';
  const zk = `zk://${servers}/ts-mesos-bench-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-failover-'));
  const base = 20000 + (process.pid % 300) * 40; // below the ephemeral port range (32768-)
  const masterPorts = Array.from({ length: masterCount }, (_, i) => base + i);
  const masterFlags = (port: number) => [`--port=${port}`, `--zk=${zk}`, `--quorum=${Math.floor(masterCount / 2) + 1}`, `--zk_session_timeout=${sessionMs}ms`, `--work_dir=${join(dir, `master-${port}`)}`, '--allocation_interval=50ms'];
  const masters = new Map(masterPorts.map((port) => [port, daemon('mesos-master', masterFlags(port))]));
  const perAgent = Math.ceil(tasks / agentCount);
  // The agents share one process (each a full agent with its own port, runtime and
  // containerizer): 20 Node start-ups would cost this 2-core VM minutes of CPU.
  const agentHost = spawn(
    process.execPath,
    [
      '--conditions=@ts-mesos/source',
      '--import',
      'tsx',
      resolve(import.meta.dirname, 'agents-host.ts'),
      String(agentCount),
      String(base + 10),
      dir,
      '--',
      `--master=${zk}`,
      `--resources=cpus:${(perAgent * 0.01 + 1).toFixed(2)};mem:${perAgent * 8 + 64}`,
      '--registration_backoff_factor=100ms',
      `--zk_session_timeout=${sessionMs}ms`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const agentsExited = new Promise<void>((r) => agentHost.once('exit', () => r()));
  const agentsReady = new Promise<void>((ready, failed) => {
    agentHost.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready());
    agentHost.once('exit', (code) => failed(new Error(`the agents' process exited with ${code}`)));
  });
  let launched = 0;
  let subscribedAt = 0;
  let lost = 0;
  const scheduler = new Scheduler({ master: zk, framework: { user: 'root', name: 'bench-failover', failover_timeout: 3600, checkpoint: true } }, async (event, s) => {
    if (event.type === 'SUBSCRIBED') subscribedAt = performance.now();
    if (event.type === 'UPDATE' && !['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING'].includes(event.update!.status.state)) lost++;
    if (event.type !== 'OFFERS') return;
    for (const offer of event.offers!.offers) {
      const start = launched;
      const want = Math.min(tasks - start, perAgent);
      if (want <= 0) {
        await s.decline([offer.id.value], { refuse_seconds: 3600 });
        continue;
      }
      launched += want;
      const infos = Array.from({ length: want }, (_, i) => commandTask(`t${start + i}`, offer.agent_id, 0.01, 8, 'sleep 3600', 'sleep'));
      await s.launch([offer.id.value], infos, { refuse_seconds: 3600 }).catch((error: unknown) => {
        launched -= want; // the master went away mid-call: launch these again from a later offer
        process.stdout.write(`launch of ${want} tasks failed (${String(error)}${error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''}); retrying from later offers\n`);
      });
    }
  });
  const times = { elected: [] as number[], agents: [] as number[], framework: [] as number[], tasks: [] as number[], expiry: [] as number[] };
  const leader = async (): Promise<number | undefined> => {
    const elected = await Promise.all(masterPorts.filter((p) => masters.has(p)).map(async (p) => ((await metrics(p).catch((): Record<string, number> => ({})))['master/elected'] === 1 ? p : undefined)));
    const found = elected.filter((p) => p !== undefined);
    if (found.length > 1) throw new Error(`two masters act as leader at once: ${found.join(', ')}`);
    return found[0];
  };
  try {
    await Promise.all([...masters].map(([port, m]) => m.ready(`http://127.0.0.1:${port}/health`)));
    await agentsReady;
    let current: number | undefined;
    await poll('a leader with every agent', async () => (current = await leader()) !== undefined && (await metrics(current))['master/slaves_active'] === agentCount, 120_000);
    scheduler.start();
    await poll(`${tasks} running tasks`, async () => (await metrics((await leader())!))['master/tasks_running']! >= tasks, 600_000);
    process.stdout.write(`${masterCount} masters, ${agentCount} agents, ${tasks} tasks running\n`);
    for (let round = 0; round < rounds; round++) {
      const old = (await leader())!;
      const lostBefore = lost;
      const subscribedBefore = subscribedAt;
      masters.get(old)!.stop('SIGKILL');
      const started = performance.now();
      await masters.get(old)!.exited;
      masters.delete(old);
      let next: number | undefined;
      await poll('a new leader', async () => (next = await leader()) !== undefined);
      times.elected.push(performance.now() - started);
      await poll('every agent re-registered', async () => (await metrics(next!))['master/slaves_active'] === agentCount);
      times.agents.push(performance.now() - started);
      await poll('the framework re-subscribed', () => Promise.resolve(subscribedAt > subscribedBefore));
      times.framework.push(subscribedAt - started);
      await poll('every task running', async () => (await metrics(next!))['master/tasks_running'] === tasks);
      times.tasks.push(performance.now() - started);
      if (lost > lostBefore) throw new Error(`${lost - lostBefore} tasks were reported lost or ended during the failover`);
      process.stdout.write(
        `round ${round + 1}: leader elected ${times.elected.at(-1)!.toFixed(0)} ms, agents re-registered ${times.agents.at(-1)!.toFixed(0)} ms, framework re-subscribed ${times.framework.at(-1)!.toFixed(0)} ms, ${tasks} tasks running ${times.tasks.at(-1)!.toFixed(0)} ms after SIGKILL\n`,
      );
      // The killed master comes back as a standby for the next round.
      const back = daemon('mesos-master', masterFlags(old));
      masters.set(old, back);
      await back.ready(`http://127.0.0.1:${old}/health`);
      times.expiry.push(await sessionExpiryMs(servers, sessionMs));
    }
  } finally {
    // Tasks outlive their agents by design: tear down and let the agents kill them first.
    await scheduler.teardown().catch(() => undefined);
    await poll(
      'the tasks to be killed',
      async () => {
        const running = await Promise.all(Array.from({ length: agentCount }, (_, i) => fetch(`http://127.0.0.1:${base + 10 + i}/metrics/snapshot`).then(async (r) => ((await r.json()) as Record<string, number>)['slave/tasks_running'] ?? 0)));
        return running.every((n) => n === 0);
      },
      60_000,
    ).catch(() => process.stdout.write('some tasks were still running at the end\n'));
    await scheduler.stop();
    agentHost.kill('SIGTERM');
    for (const m of masters.values()) m.stop();
    await Promise.all([agentsExited, ...[...masters.values()].map((m) => m.exited)]);
    rmSync(dir, { recursive: true, force: true });
  }
  const recovered = Math.max(median(times.agents), median(times.framework), median(times.tasks));
  const expiry = median(times.expiry);
  process.stdout.write(
    `median: elected ${median(times.elected).toFixed(0)} ms, fully recovered ${recovered.toFixed(0)} ms after SIGKILL; ZooKeeper alone expires a killed session in ${expiry.toFixed(0)} ms (ratio ${(recovered / expiry).toFixed(2)}); tasks lost: ${lost}\n`,
  );
  return {
    masters: masterCount,
    agents: agentCount,
    tasks,
    rounds,
    zk_session_timeout_ms: sessionMs,
    elected_median_ms: Math.round(median(times.elected)),
    agents_reregistered_median_ms: Math.round(median(times.agents)),
    framework_resubscribed_median_ms: Math.round(median(times.framework)),
    tasks_running_median_ms: Math.round(median(times.tasks)),
    recovered_median_ms: Math.round(recovered),
    session_expiry_baseline_median_ms: Math.round(expiry),
    ratio_vs_session_expiry: Number((recovered / expiry).toFixed(2)),
    tasks_lost: lost,
  };
}
