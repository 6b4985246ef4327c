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
  /** The run in slices under way, if any. */
  private cycle: { part: number; readonly parts: number } | undefined;
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
    this.runtime.dispatch(this.self(), (p) => p.promptRun()).catch(() => undefined);
  }

  /**
   * The run after events: over the agents that changed. When a run over every agent is due (a
   * framework came or revived...) and the cluster is large, a run in slices starts now instead,
   * rather than one run holding the master for seconds.
   */
  promptRun(): OfferDecision[] {
    const parts = this.partsNow();
    if (parts > 1 && this.core.needsFullRun?.() === true) {
      this.pending = false;
      this.startCycle(parts);
      return [];
    }
    return this.allocateNow('changed');
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
      const parts = this.partsNow();
      if (parts === 1) this.allocateNow();
      else this.startCycle(parts);
      this.delay(this.intervalMs, tick);
    };
    this.delay(this.intervalMs, tick);
  }

  /** How many slices a run over every agent takes now. */
  private partsNow(): number {
    return Math.max(1, Math.ceil((this.core.agentCount?.() ?? 0) / (this.options.sliceAgents ?? 2500)));
  }

  /** A run over every agent in slices: one part now, the next after whatever arrived meanwhile (a timer turn lets I/O in); one cycle at a time. */
  private startCycle(parts: number): void {
    if (this.cycle !== undefined) return;
    const cycle = { part: 0, parts };
    this.cycle = cycle;
    const next = (): void => {
      this.allocateNow({ part: cycle.part, parts: cycle.parts });
      cycle.part += 1;
      if (cycle.part < cycle.parts) this.delay(0, next);
      else this.cycle = undefined;
    };
    next();
  }
}
