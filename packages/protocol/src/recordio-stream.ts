/**
 * One subscriber's RecordIO stream (docs/recordio.md): events are framed as they are pushed
 * and handed to the HTTP response as it reads. Records stay text (`<bytes>\n<json>`, the length
 * counted in UTF-8) and reach the socket as text, which Node encodes as it writes: encoding each
 * event to bytes here (a TextEncoder call, a second buffer for the prefix, a third to join them)
 * was ~9 % of a busy master's time, and garbage. A subscriber that stops reading cannot make
 * the master hold unbounded memory: past `maxQueuedBytes` the stream is closed, and the client
 * reconnects and reconciles.
 */
export class RecordIoStream implements AsyncIterable<string> {
  private queue: string[] = [];
  private queuedBytes = 0;
  private waiting: ((result: IteratorResult<string>) => void) | undefined;
  private closed = false;

  constructor(
    readonly streamId: string,
    private readonly maxQueuedBytes = 64 * 1024 * 1024,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues one event (any JSON value). Returns false when the stream is (or just got) closed. */
  push(event: unknown): boolean {
    return this.pushJson(JSON.stringify(event));
  }

  /** Queues one event already serialised as JSON text. */
  pushJson(json: string): boolean {
    if (this.closed) return false;
    const bytes = Buffer.byteLength(json, 'utf8');
    if (this.waiting !== undefined && this.queue.length === 0) {
      // The reader waits: hand over at the end of this turn of the event loop, so the events
      // pushed meanwhile (a burst of offers, or updates arriving in several messages) go out
      // as one chunk, one socket write.
      setImmediate(() => this.handOver());
    }
    this.queue.push(`${bytes}\n${json}`);
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.maxQueuedBytes) {
      this.close();
      return false;
    }
    return true;
  }

  private handOver(): void {
    const waiting = this.waiting;
    if (waiting === undefined || this.queue.length === 0) return;
    this.waiting = undefined;
    const chunks = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    waiting({ value: chunks.length === 1 ? chunks[0]! : chunks.join(''), done: false });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // What was queued is still delivered (the iterator drains it) before the end.
    if (this.queue.length > 0) this.handOver();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        if (this.queue.length > 0) {
          // Hand over everything queued as one chunk: fewer writes when a burst is waiting.
          const chunks = this.queue;
          this.queue = [];
          this.queuedBytes = 0;
          return Promise.resolve({ value: chunks.length === 1 ? chunks[0]! : chunks.join(''), done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
