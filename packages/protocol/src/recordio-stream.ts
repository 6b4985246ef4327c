/**
 * One subscriber's RecordIO stream (docs/recordio.md): events are framed as they are pushed
 * and handed to the HTTP response as it reads. Records stay text (`<bytes>\n<json>`, the length
 * counted in UTF-8) and reach the socket as text, which Node encodes as it writes: encoding each
 * event to bytes here (a TextEncoder call, a second buffer for the prefix, a third to join them)
 * was ~9 % of a busy master's time, and garbage. A subscriber that stops reading cannot make
 * the master hold unbounded memory: past `maxQueuedBytes` the stream is closed, and the client
 * reconnects and reconciles. One event larger than that bound on its own (the operator API's
 * snapshot of a large cluster) is taken when nothing else waits, and the bound then counts from
 * it until the queue has drained.
 */
export class RecordIoStream implements AsyncIterable<string> {
  /** Framed text waiting for the reader; an iterator is an event given in chunks, read as it is taken. */
  private queue: (string | Iterator<string>)[] = [];
  private queuedBytes = 0;
  private limit: number;
  private waiting: ((result: IteratorResult<string>) => void) | undefined;
  private closed = false;

  constructor(
    readonly streamId: string,
    private readonly maxQueuedBytes = 64 * 1024 * 1024,
  ) {
    this.limit = maxQueuedBytes;
  }

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
    return this.enqueue(bytes, [`${bytes}\n${json}`]);
  }

  /**
   * Queues one event whose JSON text comes in chunks, `bytes` long in UTF-8 (a snapshot of a
   * large cluster: ~100 MB), without ever joining it into one string: the chunks are read from
   * `chunks` only as the reader takes them, a few at a time. They must not change meanwhile.
   */
  pushChunks(chunks: Iterable<string>, bytes: number): boolean {
    if (this.closed) return false;
    return this.enqueue(bytes, [`${bytes}\n`, chunks[Symbol.iterator]()]);
  }

  private enqueue(bytes: number, items: readonly (string | Iterator<string>)[]): boolean {
    if (this.queue.length === 0) {
      // The reader waits: hand over at the end of this turn of the event loop, so the events
      // pushed meanwhile (a burst of offers, or updates arriving in several messages) go out
      // as one chunk, one socket write.
      if (this.waiting !== undefined) setImmediate(() => this.handOver());
      if (bytes > this.limit) this.limit = bytes + this.maxQueuedBytes;
    }
    for (const item of items) this.queue.push(item);
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.limit) {
      this.close();
      return false;
    }
    return true;
  }

  /**
   * What is queued, joined, up to about `HAND_OVER_CHARS` (at least one piece; a chunk of an
   * event given in chunks may pass it): all of it for a burst of events, a slice at a time of a
   * large one.
   */
  private take(): string {
    const queue = this.queue;
    const parts: string[] = [];
    let chars = 0;
    let i = 0;
    while (i < queue.length && chars < HAND_OVER_CHARS) {
      const item = queue[i]!;
      if (typeof item === 'string') {
        if (parts.length > 0 && chars + item.length > HAND_OVER_CHARS) break;
        parts.push(item);
        chars += item.length;
        i++;
        continue;
      }
      const next = item.next();
      if (next.done === true) i++;
      else {
        parts.push(next.value);
        chars += next.value.length;
      }
    }
    if (i === queue.length) {
      this.queue = [];
      this.queuedBytes = 0;
      this.limit = this.maxQueuedBytes;
    } else {
      queue.splice(0, i);
      // Bytes are counted per event; characters are a fair measure of what left, for the bound.
      this.queuedBytes = Math.max(0, this.queuedBytes - chars);
    }
    return parts.length === 1 ? parts[0]! : parts.join('');
  }

  private handOver(): void {
    const waiting = this.waiting;
    if (waiting === undefined || this.queue.length === 0) return;
    this.waiting = undefined;
    waiting({ value: this.take(), done: false });
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
          // Hand over what is queued as one chunk: fewer writes when a burst is waiting.
          return Promise.resolve({ value: this.take(), done: false });
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

/** The most characters joined into one chunk for the reader (unless a single event is larger). */
const HAND_OVER_CHARS = 1 << 16;
