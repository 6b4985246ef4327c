import { type InternalMessage, isTerminalState } from '@ts-mesos/protocol';

export type StatusUpdate = InternalMessage<'StatusUpdate'>;

/** Mesos's status update retry interval starts at 10 s and doubles up to 10 min. */
export const RETRY_MIN_MS = 10_000;
export const RETRY_MAX_MS = 600_000;

interface Stream {
  readonly pending: StatusUpdate[];
  /** When the head was last sent, and the wait before the next resend. */
  sentAtMs: number | undefined;
  retryMs: number;
  /** The newest state the task has reached (told to the master with every update). */
  latestState: StatusUpdate['status']['state'] | undefined;
  terminated: boolean;
}

/**
 * The agent's reliable delivery of status updates (a pure core: time is an input). Each
 * task has a stream; updates leave in order, one at a time: the next is sent only once the
 * master has relayed an acknowledgement of the one before. An unacknowledged head is sent
 * again with exponential backoff, and at once after the agent re-registers.
 */
export class StatusUpdateManager {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly retryMinMs = RETRY_MIN_MS,
    private readonly retryMaxMs = RETRY_MAX_MS,
  ) {}

  private static key(frameworkId: string, taskId: string): string {
    return `${frameworkId}/${taskId}`;
  }

  /** Queues an update; returns it (with `latest_state`) when it should be sent now. */
  update(update: StatusUpdate, now: number): StatusUpdate | undefined {
    const key = StatusUpdateManager.key(update.framework_id.value, update.status.task_id.value);
    let stream = this.streams.get(key);
    if (stream === undefined) this.streams.set(key, (stream = { pending: [], sentAtMs: undefined, retryMs: this.retryMinMs, latestState: undefined, terminated: false }));
    if (stream.terminated) return undefined;
    stream.latestState = update.status.state;
    if (isTerminalState(update.status.state)) stream.terminated = true;
    stream.pending.push(update);
    if (stream.pending.length > 1) return undefined;
    return this.sent(stream, now);
  }

  private sent(stream: Stream, now: number): StatusUpdate {
    stream.sentAtMs = now;
    const head = stream.pending[0]!;
    return stream.latestState === undefined || stream.latestState === head.status.state ? head : { ...head, latest_state: stream.latestState };
  }

  /**
   * An acknowledgement relayed by the master. Returns whether it matched the head, the next
   * update to send (if any), and whether the stream is finished (the terminal update was acknowledged).
   */
  acknowledge(frameworkId: string, taskId: string, uuid: string, now: number): { matched: boolean; next: StatusUpdate | undefined; finished: boolean } {
    const key = StatusUpdateManager.key(frameworkId, taskId);
    const stream = this.streams.get(key);
    const head = stream?.pending[0];
    if (stream === undefined || head === undefined || head.uuid !== uuid) return { matched: false, next: undefined, finished: false };
    stream.pending.shift();
    stream.retryMs = this.retryMinMs;
    if (stream.pending.length === 0) {
      stream.sentAtMs = undefined;
      const finished = stream.terminated;
      if (finished) this.streams.delete(key);
      return { matched: true, next: undefined, finished };
    }
    return { matched: true, next: this.sent(stream, now), finished: false };
  }

  /** Heads whose retry is due; each is rescheduled with a doubled interval. */
  due(now: number): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const stream of this.streams.values()) {
      if (stream.pending.length === 0 || stream.sentAtMs === undefined || now - stream.sentAtMs < stream.retryMs) continue;
      stream.retryMs = Math.min(stream.retryMs * 2, this.retryMaxMs);
      out.push(this.sent(stream, now));
    }
    return out;
  }

  /** Every unacknowledged head, to send again at once (after re-registration). */
  flush(now: number): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const stream of this.streams.values()) if (stream.pending.length > 0) out.push(this.sent(stream, now));
    return out;
  }

  /** Unacknowledged updates of a task (the head first). */
  pendingFor(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    return this.streams.get(StatusUpdateManager.key(frameworkId, taskId))?.pending ?? [];
  }

  /** Drops a framework's streams (the framework was removed: nobody will acknowledge). */
  removeFramework(frameworkId: string): void {
    for (const key of [...this.streams.keys()]) if (key.startsWith(`${frameworkId}/`)) this.streams.delete(key);
  }

  get size(): number {
    return this.streams.size;
  }
}
