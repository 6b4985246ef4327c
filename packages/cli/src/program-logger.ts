import { destination, type Logger, pino } from 'pino';

const LEVELS: Readonly<Record<string, string>> = { INFO: 'info', WARNING: 'warn', ERROR: 'error' };

/**
 * A program's structured log (pino, JSON lines on stderr so stdout stays for what the
 * program prints for people). `--logging_level` takes Mesos's INFO, WARNING, ERROR; the
 * `LOG_LEVEL` environment variable (pino's names, e.g. `debug`) overrides it.
 */
export function programLogger(program: string, level = 'INFO'): Logger {
  return pino({ name: program, level: process.env['LOG_LEVEL'] ?? LEVELS[level] ?? 'info' }, destination({ fd: 2, sync: false }));
}
