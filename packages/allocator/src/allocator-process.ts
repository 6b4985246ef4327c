import { Process } from '@ts-mesos/libprocess';
import type { AllocationScope, Allocator, OfferDecision } from './allocator.js';

export interface AllocatorProcessOptions {
  /** `--allocation_interval` (Mesos default 1 s). */
  readonly intervalMs?: number;
  /** Where offers go: the master's callback. The allocator never holds the master. */
  readonly onOffers: (decisions: OfferDecision[]) => void;
}

/**
 * The actor shell around an allocator core: the master dispatches events into it
 * (`runtime.dispatch(pid, (a) => a.core.addAgent(...))` or the helpers below); it allocates
 * every interval, and promptly after events — one batch for all the events queued at that
 * moment — and hands the decisions to `onOffers`. It also times each run for the metrics.
 */
export class AllocatorProcess extends Process {
  private pending = false;
  private lastRunMs = 0;
  private readonly intervalMs: number;

  constructor(
    readonly core: Allocator,
    private readonly options: AllocatorProcessOptions,
    id = 'allocator',
  ) {
    super(id);
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** Applies an event to the core and asks for a prompt allocation. */
  update(event: (core: Allocator) => void): void {
    event(this.core);
    this.requestAllocation();
  }

  /** Allocates soon: after every event already queued here, once for all of them. */
  requestAllocation(): void {
    if (this.pending) return;
    this.pending = true;
    this.runtime.dispatch(this.self(), (p) => p.allocateNow('changed')).catch(() => undefined);
  }

  /** One run: over every agent (the periodic run, the default), or those that changed. */
  allocateNow(scope: AllocationScope = 'all'): OfferDecision[] {
    this.pending = false;
    const started = performance.now();
    const decisions = this.core.allocate(this.runtime.clock.now(), scope);
    this.lastRunMs = performance.now() - started;
    if (decisions.length > 0) this.options.onOffers(decisions);
    return decisions;
  }

  metrics(): Record<string, number> {
    return {
      ...this.core.metrics(),
      'allocator/mesos/allocation_run_ms': this.lastRunMs,
      'allocator/mesos/event_queue_dispatches': this.runtime.mailboxSize(this.self()),
    };
  }

  protected override initialize(): void {
    const tick = (): void => {
      this.allocateNow();
      this.delay(this.intervalMs, tick);
    };
    this.delay(this.intervalMs, tick);
  }
}
