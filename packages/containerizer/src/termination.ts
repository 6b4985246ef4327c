import { constants } from 'node:os';
import type { Termination } from './containerizer.js';

/** `SIGKILL` for 9; `signal 64` for a number with no name here. */
export function signalName(signal: number): string {
  for (const [name, value] of Object.entries(constants.signals)) if (value === signal) return name;
  return `signal ${signal}`;
}

/** A termination with the sentence Mesos's command executor would write. */
export function describeExit(exitCode: number | undefined, signal: string | undefined): Termination {
  if (signal !== undefined) return { signal, message: `Command terminated with signal ${signal}` };
  return { exitCode: exitCode ?? 0, message: `Command exited with status ${exitCode ?? 0}` };
}
