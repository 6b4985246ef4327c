/**
 * Time, injected. A `Runtime` reads the time and arms timers only through its Clock, so a
 * test or the simulator can run the whole system on a `VirtualClock` without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch (may be fractional on a virtual clock). */
  now(): number;
  /** Calls `callback` once, `delayMs` from now. */
  setTimer(delayMs: number, callback: () => void): Timer;
}

export interface Timer {
  cancel(): void;
}

/** The longest delay `setTimeout` takes; Node fires a longer one after 1 ms. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now()` and `setTimeout`. A delay longer than `setTimeout` takes (24.8
 * days: a framework's `failover_timeout` of a month, say) waits in steps; an infinite one never
 * fires.
 */
export class SystemClock implements Clock {
  constructor(private readonly maxStepMs = MAX_TIMEOUT_MS) {}

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    if (delayMs === Infinity) return { cancel: () => undefined };
    const due = Date.now() + Math.max(0, delayMs);
    let handle: ReturnType<typeof setTimeout>;
    const arm = (): void => {
      const left = due - Date.now();
      handle = left > this.maxStepMs ? setTimeout(arm, this.maxStepMs) : setTimeout(callback, Math.max(0, left));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}
