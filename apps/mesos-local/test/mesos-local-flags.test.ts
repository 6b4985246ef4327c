import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort, runApp, tempDir } from './daemon.js';

const local = (args: string[], timeoutMs?: number) => runApp('mesos-local', args, timeoutMs);

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
