import { Process } from '@ts-mesos/libprocess';
import type { AllocationScope, Allocator, OfferDecision } from './allocator.js';

export interface AllocatorProcessOptions {
  /** `--allocation_interval` (Mesos default 1 s). */
  readonly intervalMs?: number;
  /**
   * The periodic run over every agent is made in slices of about this many agents, each its
   * own turn, so that messages and requests are served between them instead of waiting for a
   * whole run over a large cluster (default 2,500; Infinity: one run). Only for allocators
   * that report `agentCount()`.
   */
  readonly sliceAgents?: number;
  /** Where offers go: the master's callback. The allocator never holds the master. */
  readonly onOffers: (decisions: OfferDecision[]) => void;
}

/**
 * The actor shell around an allocator core: the master dispatches events into it
 * (`runtime.dispatch(pid, (a) => a.core.addAgent(...))` or the helpers below); it allocates
 * every interval (over a large cluster in slices: `sliceAgents`), and promptly after events —
 * one batch for all the events queued at that moment, over the agents that changed — and hands
 * the decisions to `onOffers`. It also times each run for the metrics.
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
    const slice = this.options.sliceAgents ?? 2500;
    // The next run is armed before this one, so that a run that throws (a bug; the runtime logs
    // it) costs that run only, not every periodic allocation after it.
    const tick = (): void => {
      const parts = Math.max(1, Math.ceil((this.core.agentCount?.() ?? 0) / slice));
      if (parts === 1) {
        this.delay(this.intervalMs, tick);
        this.allocateNow();
        return;
      }
      // One part now, the next after whatever arrived meanwhile (a timer turn lets I/O in).
      const part = (i: number): void => {
        if (i + 1 < parts) this.delay(0, () => part(i + 1));
        else this.delay(this.intervalMs, tick);
        this.allocateNow({ part: i, parts });
      };
      part(0);
    };
    this.delay(this.intervalMs, tick);
  }
}
