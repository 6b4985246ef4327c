import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, tempDir } from './daemon.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Runs mesos-local with `args` to its exit (or kills it after `timeoutMs`). */
function local(args: string[], timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, ['--conditions=@ts-mesos/source', '--import', 'tsx', join(ROOT, 'apps', 'mesos-local', 'src', 'main.ts'), ...args], { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolveRun({ code, stdout, stderr });
    });
  });
}

describe('mesos-local', () => {
  it("refuses agents' --resources and --attributes it cannot use in one line, before starting anything", async () => {
    for (const [flag, message] of [
      ['--resources=cpus:abc', "mesos-local: Invalid --resources: Invalid resource 'cpus:abc': 'abc' is not a number"],
      ['--attributes=rack:[5-1]', "mesos-local: Invalid --attributes: Range '5-1' in attribute 'rack' ends before it begins"],
    ] as const) {
      const dir = tempDir('mesos-local-flags-');
      const run = await local([flag, `--port=${freePort()}`, `--work_dir=${dir}`]);
      expect([flag, run.code, run.stderr.trim()]).toEqual([flag, 1, message]);
      // No master was started: it would have logged, and made its work_dir.
      expect(run.stdout).toBe('');
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});
