/**
 * Reconnection delays: doubling from `minMs` to `maxMs`, each drawn at random from the upper
 * half of the current ceiling (jitter), so that many schedulers do not return in step.
 */
export class Backoff {
  private ceilingMs: number;

  constructor(
    readonly minMs = 100,
    readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {
    this.ceilingMs = minMs;
  }

  next(): number {
    const delay = this.ceilingMs / 2 + this.random() * (this.ceilingMs / 2);
    this.ceilingMs = Math.min(this.ceilingMs * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.ceilingMs = this.minMs;
  }
}
