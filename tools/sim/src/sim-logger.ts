import type { Logger } from '@ts-mesos/libprocess';
import type { Trace } from './trace.js';

/**
 * The runtimes' logger in a simulation: what the real master and agent code logs at info and
 * above becomes trace lines (the message, and the IDs among its fields); debug is dropped.
 */
export class SimLogger implements Logger {
  constructor(
    private readonly trace: Trace,
    private readonly node: string,
  ) {}

  debug(): void {}

  info(fields: object, message: string): void {
    this.trace.add(this.node, `${message}${ids(fields)}`);
  }

  warn(fields: object, message: string): void {
    this.trace.add(this.node, `warn: ${message}${ids(fields)}`);
  }

  error(fields: object, message: string): void {
    this.trace.add(this.node, `error: ${message}${ids(fields)}`);
  }

  child(): Logger {
    return this;
  }
}

/** The fields that name things (`agentId`, `frameworkId`, `taskId`) and small counts, for the trace. */
function ids(fields: object): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if ((typeof value === 'string' && /Id$|^tasks?$|^resources$|^reason$/.test(key)) || (typeof value === 'number' && /^(tasks|running|pendingUpdates|agents)$/.test(key))) parts.push(`${key}=${value}`);
  }
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}
