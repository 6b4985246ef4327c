import { destination, pino } from 'pino';

/**
 * The structured logger a runtime writes to: the subset of pino's API that libprocess uses,
 * so a caller can pass a pino instance (or a child of one) or anything shaped like it.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A pino logger to stderr at `LOG_LEVEL` (default `info`). */
export function defaultLogger(): Logger {
  return pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, destination(2));
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
