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

/** The real clock: `Date.now()` and `setTimeout`. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  }
}
