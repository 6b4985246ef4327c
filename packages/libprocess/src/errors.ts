import type { Upid } from './upid.js';

/** Dispatch or terminate named a process this runtime does not host (or no longer hosts). */
export class ProcessNotFoundError extends Error {
  readonly _tag = 'ProcessNotFound';
  constructor(readonly pid: Upid | string) {
    super(`No process '${String(pid)}' in this runtime`);
  }
}

/** The process terminated before a dispatched call could run. */
export class ProcessTerminatedError extends Error {
  readonly _tag = 'ProcessTerminated';
  constructor(readonly pid: Upid) {
    super(`Process '${pid.toString()}' terminated before the call ran`);
  }
}

/** The runtime was used before `start()` bound it to an address. */
export class RuntimeNotStartedError extends Error {
  readonly _tag = 'RuntimeNotStarted';
  constructor(action: string) {
    super(`Cannot ${action}: the runtime has not been started`);
  }
}
