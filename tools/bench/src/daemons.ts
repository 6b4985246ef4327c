import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Waits until `check` holds (a failing check counts as not yet), asking every `everyMs`; throws after `timeoutMs`. */
export async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function flag(args: readonly string[], name: string, fallback: number): number {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.split('=')[1]);
}

/**
 * The Node flags the app's installed binary runs with: those on its `#!/usr/bin/env -S node ...`
 * line (mesos-master asks for a larger young generation), so a benchmark measures the daemon as
 * users run it.
 */
export function binNodeFlags(app: string): string[] {
  const shebang = readFileSync(join(ROOT, 'apps', app, 'bin', `${app}.js`), 'utf8').split('\n', 1)[0] ?? '';
  const words = shebang.split(/\s+/);
  const node = words.indexOf('node');
  return node < 0 ? [] : words.slice(node + 1).filter((w) => w.startsWith('--'));
}

/** A daemon (`mesos-master`, `mesos-agent`) run from its sources as a real process. */
export function daemon(app: string, flags: string[]): { pid: number | undefined; stop(signal?: NodeJS.Signals): void; ready(url: string): Promise<void>; exited: Promise<void> } {
  // BENCH_LOG_DIR=/some/dir keeps each daemon's output in <dir>/<app>-<port>.log.
  const logDir = process.env.BENCH_LOG_DIR;
  const port = flags.find((f) => f.startsWith('--port='))?.slice('--port='.length) ?? 'default';
  const out = logDir === undefined ? 'ignore' : openSync(join(logDir, `${app}-${port}.log`), 'a');
  const child = spawn(process.execPath, [...binNodeFlags(app), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps', app, 'src', 'main.ts'), ...flags], {
    stdio: ['ignore', out, out],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid,
    exited,
    stop: (signal) => child.kill(signal ?? (process.env.BENCH_STOP === 'TERM' ? 'SIGTERM' : 'SIGKILL')),
    ready: async (url) => {
      for (let i = 0; i < 400; i++) {
        const ok = await fetch(url).then((r) => r.status === 200, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${app} did not come up at ${url}`);
    },
  };
}

/** CPU seconds a process has used so far: its own, and that of its children it has waited for (Linux `/proc`); zeros when it is gone. */
export function processCpu(pid: number | undefined): { own: number; children: number } {
  if (pid === undefined) return { own: 0, children: 0 };
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' '); // the command name may hold ') '
    const tick = 100; // USER_HZ on Linux
    return { own: (Number(fields[11]) + Number(fields[12])) / tick, children: (Number(fields[13]) + Number(fields[14])) / tick };
  } catch {
    return { own: 0, children: 0 };
  }
}

/** The pids of a process's children (Linux `/proc`). */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
