import { closeSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitStatus } from './launcher.js';

/** `exits-<launcher pid>.log`, its rotated `.old`, and `exits-sh.log` of the spawn fallback. */
const LOG_NAME = /^exits-(\d+|sh)\.log(\.old)?$/;

/**
 * Reads the exit records launchers append under the runtime directory (`ID CODE|- SIGNAL|-`,
 * ID hex-encoded): how containers ended while no agent was watching. Reads each file
 * incrementally, so asking again after a container ended costs only the new records.
 */
export class ExitLog {
  private readonly offsets = new Map<string, number>();
  private readonly exits = new Map<string, ExitStatus>();

  constructor(private readonly runtimeDir: string) {}

  /** How the container ended, if a launcher recorded it. */
  lookup(containerId: string): ExitStatus | undefined {
    this.refresh();
    return this.exits.get(containerId);
  }

  private refresh(): void {
    let names: string[];
    try {
      names = readdirSync(this.runtimeDir).filter((name) => LOG_NAME.test(name));
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(this.runtimeDir, name);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        continue;
      }
      let offset = this.offsets.get(name) ?? 0;
      if (size < offset) offset = 0; // rotated or truncated: read it again
      if (size === offset) continue;
      const buffer = Buffer.alloc(size - offset);
      const fd = openSync(path, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, offset);
      } finally {
        closeSync(fd);
      }
      const text = buffer.toString('utf8');
      const end = text.lastIndexOf('\n') + 1; // a record still being written waits for the next read
      for (const line of text.slice(0, end).split('\n')) {
        const [id, code, signal] = line.split(' ');
        if (id === undefined || id === '' || code === undefined || signal === undefined) continue;
        this.exits.set(Buffer.from(id, 'hex').toString('utf8'), code === '-' ? { signal: Number(signal) } : { code: Number(code) });
      }
      this.offsets.set(name, offset + Buffer.byteLength(text.slice(0, end)));
    }
  }

  /** The pids of the launchers whose logs are here and that still run. */
  launchers(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.runtimeDir);
    } catch {
      return [];
    }
    const pids = new Set<number>();
    for (const name of names) {
      const owner = LOG_NAME.exec(name)?.[1];
      if (owner !== undefined && owner !== 'sh' && processExists(Number(owner))) pids.add(Number(owner));
    }
    return [...pids];
  }

  /** Removes the logs of launchers that are gone, except `keep` (the current launcher's). */
  prune(keep: (name: string) => boolean): void {
    let names: string[];
    try {
      names = readdirSync(this.runtimeDir);
    } catch {
      return;
    }
    for (const name of names) {
      const match = LOG_NAME.exec(name);
      if (match === null || keep(name)) continue;
      const owner = match[1]!;
      if (owner !== 'sh' && processExists(Number(owner))) continue;
      rmSync(join(this.runtimeDir, name), { force: true });
      this.offsets.delete(name);
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
