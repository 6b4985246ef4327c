/**
 * At most `limit` log lines per source in each `windowMs`; the rest are counted, and the next
 * line logged for that source says how many were left out. A peer sending a flood of bad
 * messages (300,000 unknown ones made a 79 MB log) then costs a few lines a window.
 */
export class LogLimiter {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Whether to log a line for `source` at `now`; `suppressed`: lines left out for it since the last one logged. */
  allow(source: string, now: number): { readonly log: boolean; readonly suppressed: number } {
    let window = this.windows.get(source);
    if (window === undefined || now - window.start >= this.windowMs) {
      const suppressed = window?.suppressed ?? 0;
      if (window === undefined && this.windows.size >= 10_000) this.sweep(now);
      window = { start: now, logged: 0, suppressed };
      this.windows.set(source, window);
    }
    if (window.logged >= this.limit) {
      window.suppressed++;
      return { log: false, suppressed: 0 };
    }
    window.logged++;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    return { log: true, suppressed };
  }

  /** Forgets sources whose window ended with nothing left out. */
  private sweep(now: number): void {
    for (const [source, window] of this.windows) if (now - window.start >= this.windowMs && window.suppressed === 0) this.windows.delete(source);
  }
}
