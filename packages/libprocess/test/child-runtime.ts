import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Upid } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ECHO = fileURLToPath(new URL('./fixtures/echo-runtime.ts', import.meta.url));

export interface ChildRuntime {
  readonly child: ChildProcess;
  readonly echo: Upid;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
}

/** Starts `fixtures/echo-runtime.ts` in a separate Node.js process and waits for its pid line. */
export async function startEchoRuntime(timeoutMs = 20_000): Promise<ChildRuntime> {
  const child = spawn(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', ECHO], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const echo = await new Promise<Upid>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`echo runtime did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`echo runtime exited early with code ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(Upid.parse((JSON.parse(line) as { pid: string }).pid));
    });
  });
  return { child, echo, exited };
}
