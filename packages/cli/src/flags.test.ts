import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Flags, formatFlags, parseFlags, usage } from './flags.js';

const spec = {
  port: Flags.integer('Port', 5050, { min: 0, max: 65535 }),
  work_dir: Flags.string('Work dir'),
  quiet: Flags.boolean('Quiet', false),
  offer_timeout: Flags.duration('Offer timeout', 0),
  allocation_interval: Flags.duration('Allocation interval', 1000, { positive: true }),
};

describe('parseFlags', () => {
  it('takes --name=value, --name value, booleans, durations and defaults', () => {
    const parsed = parseFlags(spec, ['--port=6000', '--work-dir', '/w', '--quiet', '--offer_timeout=2mins'], {});
    expect(parsed).toMatchObject({ ok: true, flags: { values: { port: 6000, work_dir: '/w', quiet: true, offer_timeout: 120_000 }, help: false } });
    expect(parseFlags(spec, ['--no-quiet'], {})).toMatchObject({ ok: true, flags: { values: { quiet: false, port: 5050 } } });
  });

  it('reads MESOS_ environment twins, with the command line winning', () => {
    expect(parseFlags(spec, [], { MESOS_PORT: '7000' })).toMatchObject({ ok: true, flags: { values: { port: 7000 } } });
    expect(parseFlags(spec, ['--port=1'], { MESOS_PORT: '7000' })).toMatchObject({ ok: true, flags: { values: { port: 1 } } });
  });

  it('reads file:// values from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-'));
    try {
      const path = join(dir, 'dir');
      writeFileSync(path, '/from/file\n');
      expect(parseFlags(spec, [`--work_dir=file://${path}`], {})).toMatchObject({ ok: true, flags: { values: { work_dir: '/from/file' } } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong: unknown flags, bad values, out of range', () => {
    expect(parseFlags(spec, ['--nope=1'], {})).toEqual({ ok: false, error: "Failed to load unknown flag 'nope'" });
    expect(parseFlags(spec, ['--port=x'], {})).toEqual({ ok: false, error: "Failed to load flag 'port' from the command line: 'x' is not an integer" });
    expect(parseFlags(spec, ['--port=70000'], {})).toMatchObject({ ok: false, error: expect.stringContaining('outside 0..65535') });
    // An interval of 0 would spin the daemon's loop; a timeout of 0 may mean never.
    expect(parseFlags(spec, ['--allocation_interval=0secs'], {})).toEqual({ ok: false, error: "Failed to load flag 'allocation_interval' from the command line: '0secs' must be longer than 0" });
    expect(parseFlags(spec, ['--offer_timeout=0secs', '--allocation_interval=1ms'], {})).toMatchObject({ ok: true, flags: { values: { offer_timeout: 0, allocation_interval: 1 } } });
    expect(parseFlags(spec, [], { MESOS_OFFER_TIMEOUT: '5 parsecs' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown unit') });
  });

  it('prints --help with defaults and environment names, and formats values for /flags', () => {
    expect(parseFlags(spec, ['--help'], {})).toMatchObject({ ok: true, flags: { help: true } });
    const text = usage('mesos-test', 'A test.', spec);
    expect(text).toContain('--port=VALUE');
    expect(text).toContain('(default: 5050) [MESOS_PORT]');
    expect(formatFlags(spec, { port: 1, quiet: true, offer_timeout: 60_000, allocation_interval: 1000 })).toEqual({ port: '1', quiet: 'true', offer_timeout: '1mins', allocation_interval: '1secs' });
  });
});
