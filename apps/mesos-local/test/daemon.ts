import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Scheduler, type SchedulerNotice } from '@ts-mesos/scheduler';
import type { FrameworkInfo, Offer } from '@ts-mesos/protocol';
import { afterAll } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');

/** A daemon started as a real process from its sources: `mesos-master` or `mesos-agent`. */
export interface Daemon {
  readonly process: ChildProcess;
  readonly url: string;
  readonly address: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

// Below the ephemeral range (32768-60999), where an outgoing connection may hold any port, and
// above 10080, the last port fetch() refuses to connect to (the WHATWG "bad ports").
let nextPort = 11000 + (process.pid % 2100) * 10;

export function freePort(): number {
  return nextPort++;
}

const made: string[] = [];

/** A fresh directory under the system's temporary one, removed when the test file is done (see `removeTempDirs`). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** The mount points at or below `dir` (from /proc/self/mountinfo, where a space in a path is `\040`). */
export function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return table
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

/**
 * Removes the directories `tempDir` made. Each test file's own `afterAll` hooks run before this
 * one (vitest runs a suite's after-hooks last-registered first, and this module registers its
 * hook when the file imports it), so the daemons using them have stopped. A directory with
 * something still mounted below it is kept, so that a removal never reaches through a mount.
 */
function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    const mounts = mountsUnder(dir);
    if (mounts.length > 0) {
      process.stderr.write(`kept ${dir}: still mounted below it: ${mounts.join(', ')}\n`);
      continue;
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
afterAll(removeTempDirs);

/** Probes until it answers something other than undefined (an error counts as not yet), up to `deadlineMs`. */
export async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** Starts `apps/<app>/src/main.ts` with flags (inside the network namespace `netns`, if given) and waits until its `/health` answers. */
/** Runs one of the apps (`mesos-execute`, `mesos-local`, ...) with `args` to its exit, or kills it after `timeoutMs` (code null). */
export function runApp(app: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps', app, 'src', 'main.ts'), ...args], { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolveRun({ code, stdout, stderr });
    });
  });
}

export async function startDaemon(app: 'mesos-master' | 'mesos-agent' | 'mesos-local', flags: Record<string, string | number>, healthPath: string, options: { netns?: string } = {}): Promise<Daemon> {
  const args = ['--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps', app, 'src', 'main.ts'), ...Object.entries(flags).map(([k, v]) => `--${k}=${v}`)];
  // `ip netns exec` enters the namespace and execs the program: the child is the daemon itself.
  const [command, argv] = options.netns === undefined ? [process.execPath, args] : ['ip', ['netns', 'exec', options.netns, process.execPath, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env['TEST_LOG_LEVEL'] !== undefined) process.stderr.write(chunk);
  });
  const address = `${flags['ip'] ?? '127.0.0.1'}:${flags['port']}`;
  const url = `http://${address}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await until(`${app} at ${url}`, 20_000, async () => {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}: ${stderr}`);
    const response = await fetch(`${url}${healthPath}`);
    return response.status === 200 ? true : undefined;
  });
  return {
    process: child,
    url,
    address,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A framework driven by a test: every notice is recorded; `next` waits for one that matches. */
export class TestFramework {
  readonly notices: SchedulerNotice[] = [];
  readonly scheduler: Scheduler;
  private waiters: (() => void)[] = [];

  constructor(master: string, framework: Partial<FrameworkInfo> = {}, autoAcknowledge = true) {
    this.scheduler = new Scheduler({ master, framework: { user: 'root', name: 'test', ...framework }, autoAcknowledge }, (notice) => {
      this.notices.push(notice);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  start(): this {
    this.scheduler.start();
    return this;
  }

  /** The first notice after position `from` that matches, waiting up to `deadlineMs`. */
  async next<T extends SchedulerNotice>(match: (n: SchedulerNotice) => n is T, deadlineMs?: number, from?: number): Promise<T>;
  async next(match: (n: SchedulerNotice) => boolean, deadlineMs?: number, from?: number): Promise<SchedulerNotice>;
  async next(match: (n: SchedulerNotice) => boolean, deadlineMs = 15_000, from = 0): Promise<SchedulerNotice> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const found = this.notices.slice(from).find(match);
      if (found !== undefined) return found;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`No matching event; got: ${this.notices.map((n) => n.type).join(', ')}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  update(taskId: string, state: string, from = 0) {
    return this.next((n) => n.type === 'UPDATE' && n.update?.status.task_id.value === taskId && n.update.status.state === state, 15_000, from);
  }

  offers(from = 0) {
    return this.next((n) => n.type === 'OFFERS', 15_000, from);
  }

  /**
   * A fresh offer that `fits`: every offer received so far is declined (used ones are ignored
   * by the master), offers are revived, and the first new one that fits is taken. Waiting for
   * "an offer after revive" alone races with an offer already here: the master offers what a
   * finished task freed at once, and that offer holds the resources the test waits for.
   */
  async freshOffer(fits: (offer: Offer) => boolean = () => true, deadlineMs = 15_000): Promise<Offer> {
    const from = this.notices.length;
    const seen = this.notices.slice(0, from).flatMap((n) => (n.type === 'OFFERS' ? n.offers!.offers.map((o) => o.id.value) : []));
    if (seen.length > 0) await this.scheduler.decline(seen, { refuse_seconds: 0 });
    await this.scheduler.revive();
    const event = await this.next((n) => n.type === 'OFFERS' && n.offers!.offers.some(fits), deadlineMs, from);
    return (event.type === 'OFFERS' ? event.offers!.offers.find(fits) : undefined) as Offer;
  }

  /** Runs `sleep 600` as task `taskId` (0.5 cpus) on the first offer, declining the rest of it for an hour; resolves once it runs. */
  async runSleeper(taskId: string): Promise<void> {
    const event = await this.offers();
    const offer = event.type === 'OFFERS' ? event.offers!.offers[0]! : undefined;
    if (offer === undefined) throw new Error('No offer');
    const task = { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }], command: { value: 'sleep 600' } };
    await this.scheduler.launch([offer.id.value], [task], { refuse_seconds: 3600 });
    await this.update(taskId, 'TASK_RUNNING');
  }
}
