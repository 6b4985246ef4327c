import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

export interface Child<T> {
  readonly process: ChildProcess;
  readonly ready: T;
  stop(): Promise<void>;
}

/** Runs one of the benchmark's TypeScript children and waits for its first JSON line. */
export async function startChild<T>(script: string): Promise<Child<T>> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as T));
  });
  return {
    process: child,
    ready,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
