import type { Clock, Timer } from './clock.js';

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer that falls due, in
 * order of due time (ties in the order they were armed), setting `now()` to each timer's due
 * time as it fires. Timers armed while advancing fire within the same advance when they fall
 * inside it.
 *
 * Timer callbacks usually only enqueue work for processes; to let that work run between
 * timers, use `Runtime.advance` (or `MemoryNetwork.advance`), which settles after each one.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: PendingTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): Timer {
    const timer: PendingTimer = {
      due: this.current + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** When the next live timer falls due, or undefined when none is armed. */
  nextDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /** Number of armed timers that have not been cancelled. */
  pending(): number {
    return this.heap.reduce((n, t) => (t.cancelled ? n : n + 1), 0);
  }

  /** Moves time forward by `ms`, firing due timers. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Cannot advance a clock by ${ms} ms`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time to `targetMs` (never backwards), firing due timers. */
  advanceTo(targetMs: number): void {
    for (;;) {
      this.dropCancelled();
      const next = this.heap[0];
      if (next === undefined || next.due > targetMs) break;
      this.pop();
      this.current = Math.max(this.current, next.due);
      next.callback();
    }
    this.current = Math.max(this.current, targetMs);
  }

  /** Fires only the earliest due timer (and any tied with it); returns false when none is armed. */
  fireNext(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advanceTo(due);
    return true;
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled === true) this.pop();
  }

  private before(a: PendingTimer, b: PendingTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
