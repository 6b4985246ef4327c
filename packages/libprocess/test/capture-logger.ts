import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../src/index.js';

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A real pino logger whose records a test can read back. */
export function captureLogger(): { logger: Logger; records: LogRecord[]; messages: () => string[] } {
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as LogRecord);
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return { logger, records, messages: () => records.map((r) => r.msg) };
}

/** Waits until `predicate` holds, polling, or fails after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
