import { STATUS_CODES } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { HttpRequest, HttpResponse } from './http.js';
import type { Logger } from './logger.js';

/** A request's first line and headers (names in lower case), as read. */
export interface RequestHead {
  readonly method: string;
  /** The request target as sent: `/master/state?jsonp=f`. */
  readonly url: string;
  readonly version: '1.0' | '1.1';
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Requests read on one connection and not yet answered, at most, before it is read no further
 * until half of them are answered: a client pipelining thousands of calls waits for answers
 * instead of filling the process's mailbox and heap (200 frameworks pipelining 128 calls each
 * kept 25,600 requests in a busy master).
 */
export const MAX_UNANSWERED_PER_CONNECTION = 32;

export interface HttpServerOptions {
  /** Largest request body accepted; a larger one is answered 413 and the connection closed. */
  readonly maxBodyBytes: number;
  /** Largest request head (request line and headers) accepted (default 64 KiB; larger: 431). */
  readonly maxHeadBytes?: number;
  /** An idle connection is closed after this long (default 60 s, as before). */
  readonly keepAliveTimeoutMs?: number;
  /**
   * A request's head and body must all arrive within this long of its first byte (default
   * 60 s); else it is answered 408 and the connection closed. The idle timeout alone lets a
   * client that sends a byte a minute hold a connection and its buffer for ever.
   */
  readonly requestTimeoutMs?: number;
  /** Requests read on one connection and not yet answered, at most (default `MAX_UNANSWERED_PER_CONNECTION`). */
  readonly maxUnanswered?: number;
  readonly logger: Logger;
  /** Answers a request. Answers go back in the order the requests came, whenever each is ready. */
  readonly request: (request: HttpRequest) => Promise<HttpResponse>;
  /** A GET asking to switch protocols: the socket is handed over with the bytes read past its head. */
  readonly upgrade: (head: RequestHead, socket: Socket, rest: Buffer) => void;
}

/**
 * An HTTP/1.1 server for libprocess's routes: keep-alive, pipelining, `Content-Length` and
 * chunked request bodies, `Expect: 100-continue`, HEAD, fixed and streamed (chunked) answers,
 * and protocol upgrades handed to their owner.
 *
 * Why not node:http: it writes every answer with its own syscall (`res.end` uncorks the
 * socket), and a connection's pipelined answers one per tick, each after the last one's write
 * completed. A framework's acknowledgements and calls arrive pipelined; here what a connection
 * has to send after one turn of the event loop leaves in one write (the launch benchmark's
 * master: 1.1-1.2 s of CPU before, 0.8-0.9 s after).
 */
export class HttpServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly settings: Settings;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: HttpServerOptions) {
    this.settings = {
      maxBodyBytes: options.maxBodyBytes,
      maxHeadBytes: options.maxHeadBytes ?? 64 * 1024,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      maxUnanswered: options.maxUnanswered ?? MAX_UNANSWERED_PER_CONNECTION,
      logger: options.logger,
      request: options.request,
      upgrade: options.upgrade,
      date: new DateHeader(),
    };
    // Half-open: a client may send its requests and then end its side; it still gets its answers.
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
      const connection: Connection = new Connection(socket, this.settings, () => this.connections.delete(connection));
      this.connections.add(connection);
      socket.once('close', () => this.connections.delete(connection));
    });
  }

  /** Every connection whose request is overdue is refused: one timer for all of them. */
  private sweep(): void {
    const now = Date.now();
    for (const connection of this.connections) connection.checkDeadline(now);
  }

  listen(port: number, host: string): Promise<number> {
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const every = Math.max(10, Math.min(1000, this.settings.requestTimeoutMs / 4));
        this.sweeper ??= setInterval(() => this.sweep(), every).unref();
        const bound = server.address();
        if (bound === null || typeof bound === 'string') reject(new Error('HTTP server did not bind to a TCP port'));
        else resolve(bound.port);
      });
    });
  }

  /** Stops listening and closes every connection (upgraded ones are their owner's). */
  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Settings {
  readonly maxBodyBytes: number;
  readonly maxHeadBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxUnanswered: number;
  readonly logger: Logger;
  readonly request: (request: HttpRequest) => Promise<HttpResponse>;
  readonly upgrade: (head: RequestHead, socket: Socket, rest: Buffer) => void;
  readonly date: DateHeader;
}

/** One request read: its answer once known, and how to write it. */
interface Slot {
  response: HttpResponse | undefined;
  readonly headOnly: boolean;
  readonly http10: boolean;
  /** The connection closes after this answer (the client asked, or we refuse to read on). */
  closeAfter: boolean;
  abort: AbortController | undefined;
  /** The client went away (or ended its side) before the answer. */
  aborted: boolean;
}

/** A request whose head is read and whose body is being read. */
interface Reading {
  readonly head: RequestHead;
  readonly target: { readonly path: string; readonly query: URLSearchParams };
  /** Bytes of a `Content-Length` body still to come, or -1 for a chunked body. */
  remaining: number;
  /** Chunked: bytes of the current chunk still to come (-1: a size line is next; -2: trailers; `AFTER_CHUNK_DATA`: its CRLF). */
  chunkLeft: number;
  readonly chunks: Buffer[];
  total: number;
}

const EMPTY = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A path that `new URL` would give back unchanged (no dot segments, nothing to escape). */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
/** Bytes handed to the socket and unwritten past which a streamed answer waits for it to drain. */
const STREAM_HIGH_WATER_BYTES = 1024 * 1024;
/** A string this long is written as it is, not joined with its neighbours first. */
const BIG_STRING = 16 * 1024;
/** Why a request's signal aborts: its connection closed (after the answer, or before it). */
export const CONNECTION_CLOSED = 'connection closed';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class Connection {
  private buffer: Buffer = EMPTY;
  /** Where to look for the end of the head next (what was searched already holds none). */
  private scanFrom = 0;
  private reading: Reading | undefined;
  /** When the first byte of the request being read arrived (undefined: none is being read). */
  private requestStartedMs: number | undefined;
  /** Requests read in full so far: a request finished during a read restarts the deadline. */
  private requestsRead = 0;
  private readonly slots: Slot[] = [];
  /** Index in `slots` of the oldest unanswered request. */
  private first = 0;
  private out: (string | Buffer)[] = [];
  private outBytes = 0;
  private flushScheduled = false;
  /** No more requests are read: the last one read asked to close, or was refused. */
  private readingDone = false;
  private held = false;
  private streaming = false;
  private endAfterFlush = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private readonly remote: string | undefined;
  /** This connection's listeners on its socket, all taken off when an upgrade hands it over. */
  private readonly listeners: { readonly [event: string]: (...args: unknown[]) => void } = {
    data: (chunk: unknown): void => this.received(chunk as Buffer),
    drain: (): void => this.releaseDrainWaiters(),
    error: (): void => void this.socket.destroy(),
    close: (): void => this.closedNow(),
    end: (): void => this.clientEnded(),
    timeout: (): void => {
      // Only an idle connection (or one stuck in a request's head or body) times out.
      if (this.first === this.slots.length && !this.streaming) this.socket.destroy();
    },
  };

  constructor(
    private readonly socket: Socket,
    private readonly settings: Settings,
    /** Called when an upgrade takes the socket: it is no longer this server's to close. */
    private readonly released: () => void,
  ) {
    this.remote = socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
    for (const [event, listener] of Object.entries(this.listeners)) socket.on(event, listener);
    socket.setTimeout(settings.keepAliveTimeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- reading -----------------------------------------------------------------------------

  private received(chunk: Buffer): void {
    if (this.readingDone) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const before = this.requestsRead;
    this.requestStartedMs ??= Date.now();
    this.parse();
    this.restartDeadline(before);
  }

  /** After a parse: no deadline if nothing is left half read, a fresh one if a request was completed. */
  private restartDeadline(requestsBefore: number): void {
    if (this.reading === undefined && this.buffer.length === 0) this.requestStartedMs = undefined;
    else if (this.requestsRead !== requestsBefore) this.requestStartedMs = Date.now();
  }

  /** Refuses a request whose bytes are overdue (not one held back by this side: the socket is paused then). */
  checkDeadline(now: number): void {
    const started = this.requestStartedMs;
    if (started === undefined || this.held || this.readingDone || this.closed) return;
    if (now - started <= this.settings.requestTimeoutMs) return;
    this.settings.logger.debug({ remote: this.remote, ms: now - started }, 'HTTP request not received in time');
    this.refuse(408, `The request was not received within ${this.settings.requestTimeoutMs} ms`);
  }

  private parse(): void {
    try {
      while (!this.readingDone && !this.held && !this.closed) {
        if (this.reading === undefined) {
          if (!this.readHead()) return;
          continue;
        }
        if (!this.readBody(this.reading)) return;
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 400;
      this.refuse(status, error instanceof Error ? error.message : String(error));
    }
  }

  /** Reads a head if one is complete; false when more bytes are needed (or it was handed over). */
  private readHead(): boolean {
    let buffer = this.buffer;
    // Empty lines before a request line are ignored (RFC 9112, section 2.2).
    let start = 0;
    while (start + 1 < buffer.length && buffer[start] === 13 && buffer[start + 1] === 10) start += 2;
    if (start > 0) {
      buffer = this.buffer = buffer.subarray(start);
      this.scanFrom = Math.max(0, this.scanFrom - start);
    }
    const end = buffer.indexOf(HEAD_END, this.scanFrom);
    if (end < 0) {
      if (buffer.length > this.settings.maxHeadBytes) throw new HttpError(431, `Request head exceeds ${this.settings.maxHeadBytes} bytes`);
      this.scanFrom = Math.max(0, buffer.length - 3);
      return false;
    }
    if (end > this.settings.maxHeadBytes) throw new HttpError(431, `Request head exceeds ${this.settings.maxHeadBytes} bytes`);
    const head = parseHead(buffer.toString('latin1', 0, end));
    this.buffer = buffer.subarray(end + 4);
    this.scanFrom = 0;
    const { headers } = head;
    // Only WebSocket is switched to; another upgrade (curl --http2 offers h2c) is ignored and
    // the request served as HTTP/1.1, as RFC 9110 (section 7.8) lets a server do.
    if (/\bwebsocket\b/i.test(headers['upgrade'] ?? '') && head.method === 'GET' && /\bupgrade\b/i.test(headers['connection'] ?? '')) {
      if (this.first < this.slots.length) throw new HttpError(400, 'An upgrade behind unanswered requests');
      this.handOver(head);
      return false;
    }
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    let remaining = 0;
    if (te !== undefined) {
      if (cl !== undefined) throw new HttpError(400, 'Both Transfer-Encoding and Content-Length');
      if (te.trim().toLowerCase() !== 'chunked') throw new HttpError(501, `Transfer-Encoding '${te}' is not supported (only chunked)`);
      remaining = -1;
    } else if (cl !== undefined) {
      if (!/^\d+$/.test(cl)) throw new HttpError(400, `Invalid Content-Length '${cl}'`);
      remaining = Number(cl);
    }
    if (remaining > this.settings.maxBodyBytes) throw new HttpError(413, `Request body exceeds the limit of ${this.settings.maxBodyBytes} bytes`);
    if (remaining !== 0 && head.version === '1.1' && headers['expect']?.toLowerCase() === '100-continue') {
      this.queue('HTTP/1.1 100 Continue\r\n\r\n');
    }
    this.reading = { head, target: splitTarget(head.url), remaining, chunkLeft: -1, chunks: [], total: 0 };
    return true;
  }

  /** Reads what there is of a body; true when the request is complete. */
  private readBody(reading: Reading): boolean {
    if (reading.remaining >= 0) {
      const take = Math.min(reading.remaining, this.buffer.length);
      if (take > 0) {
        reading.chunks.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        reading.remaining -= take;
      }
      if (reading.remaining > 0) return false;
    } else if (!this.readChunked(reading)) {
      return false;
    }
    this.reading = undefined;
    this.requestsRead++;
    this.dispatch(reading.head, reading.target, reading.chunks.length === 1 ? reading.chunks[0]! : Buffer.concat(reading.chunks));
    return true;
  }

  /** Chunked body (RFC 9112, section 7.1); true once its last chunk and trailers are read. */
  private readChunked(reading: Reading): boolean {
    for (;;) {
      if (reading.chunkLeft === -1 || reading.chunkLeft === -2) {
        const eol = this.buffer.indexOf('\r\n');
        if (eol < 0) {
          if (this.buffer.length > this.settings.maxHeadBytes) throw new HttpError(400, 'Chunk size line too long');
          return false;
        }
        const line = this.buffer.toString('latin1', 0, eol);
        this.buffer = this.buffer.subarray(eol + 2);
        if (reading.chunkLeft === -2) {
          if (line === '') return true; // the empty line after the trailers
          continue;
        }
        const size = line.split(';', 1)[0]!.trim();
        if (!/^[0-9A-Fa-f]{1,8}$/.test(size)) throw new HttpError(400, `Invalid chunk size '${size}'`);
        const bytes = parseInt(size, 16);
        if (bytes === 0) {
          reading.chunkLeft = -2;
          continue;
        }
        reading.total += bytes;
        if (reading.total > this.settings.maxBodyBytes) throw new HttpError(413, `Request body exceeds the limit of ${this.settings.maxBodyBytes} bytes`);
        reading.chunkLeft = bytes;
      }
      if (reading.chunkLeft === AFTER_CHUNK_DATA) {
        // The data must end with CRLF: anything else means the sizes do not frame the body.
        if (this.buffer.length > 0 && this.buffer[0] !== 0x0d) throw new HttpError(400, 'Expected CRLF after chunk data');
        if (this.buffer.length < 2) return false;
        if (this.buffer[1] !== 0x0a) throw new HttpError(400, 'Expected CRLF after chunk data');
        this.buffer = this.buffer.subarray(2);
        reading.chunkLeft = -1;
        continue;
      }
      const take = Math.min(reading.chunkLeft, this.buffer.length);
      if (take > 0) reading.chunks.push(this.buffer.subarray(0, take));
      this.buffer = this.buffer.subarray(take);
      reading.chunkLeft -= take;
      if (reading.chunkLeft > 0) return false;
      reading.chunkLeft = AFTER_CHUNK_DATA;
    }
  }

  private dispatch(head: RequestHead, { path, query }: Reading['target'], body: Buffer): void {
    const connection = head.headers['connection']?.toLowerCase() ?? '';
    const keepAlive = head.version === '1.1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const slot: Slot = { response: undefined, headOnly: head.method === 'HEAD', http10: head.version === '1.0', closeAfter: !keepAlive, abort: undefined, aborted: false };
    this.slots.push(slot);
    if (!keepAlive) this.readingDone = true;
    if (this.slots.length - this.first >= this.settings.maxUnanswered) {
      this.held = true;
      this.socket.pause();
    }
    const request: HttpRequest = {
      method: head.method,
      path,
      query,
      headers: head.headers,
      body,
      get signal(): AbortSignal {
        if (slot.abort === undefined) {
          slot.abort = new AbortController();
          // A plain reason: abort() without one builds a DOMException (with a stack).
          if (slot.aborted) slot.abort.abort(CONNECTION_CLOSED);
        }
        return slot.abort.signal;
      },
      ...(this.remote === undefined ? {} : { remote: this.remote }),
    };
    this.settings.request(request).then(
      (response) => this.answer(slot, response),
      (error: unknown) => this.answer(slot, { status: 500, body: `Request failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  /** Answers in order what cannot be read, and reads no further. */
  private refuse(status: number, message: string): void {
    this.readingDone = true;
    this.reading = undefined;
    this.buffer = EMPTY;
    this.slots.push({ response: { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: message }, headOnly: false, http10: false, closeAfter: true, abort: undefined, aborted: false });
    this.writeReady();
  }

  private handOver(head: RequestHead): void {
    const socket = this.socket;
    for (const [event, listener] of Object.entries(this.listeners)) socket.removeListener(event, listener);
    socket.setTimeout(0);
    this.readingDone = true;
    const rest = this.buffer;
    this.buffer = EMPTY;
    this.released();
    this.settings.upgrade(head, socket, rest);
  }

  // ---- writing -----------------------------------------------------------------------------

  private answer(slot: Slot, response: HttpResponse): void {
    slot.response = response;
    if (this.closed) return;
    this.writeReady();
  }

  /** Writes the answers that are next in order and ready. */
  private writeReady(): void {
    while (!this.streaming && !this.closed && this.first < this.slots.length) {
      const slot = this.slots[this.first]!;
      const response = slot.response;
      if (response === undefined) break;
      const body = response.body;
      if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
        this.writeFixed(slot, response, body);
        this.finished(slot);
        if (slot.closeAfter) break;
        continue;
      }
      this.streaming = true;
      void this.writeStream(slot, response, body).finally(() => {
        this.streaming = false;
        this.finished(slot);
        if (!slot.closeAfter) this.writeReady();
      });
    }
    if (this.first > 1024 && this.first * 2 > this.slots.length) {
      this.slots.splice(0, this.first);
      this.first = 0;
    }
  }

  private finished(slot: Slot): void {
    this.first++;
    slot.abort?.abort(CONNECTION_CLOSED);
    if (slot.closeAfter) {
      this.readingDone = true;
      this.endAfterFlush = true;
      this.scheduleFlush();
      return;
    }
    if (this.held && this.slots.length - this.first <= this.settings.maxUnanswered / 2) {
      this.held = false;
      this.socket.resume();
      const before = this.requestsRead;
      if (this.buffer.length > 0) this.requestStartedMs = Date.now();
      this.parse();
      this.restartDeadline(before);
    }
  }

  private writeFixed(slot: Slot, response: HttpResponse, body: string | Uint8Array | undefined): void {
    const status = response.status;
    const bodyless = status === 204 || status === 304 || status < 200;
    let head = statusLine(status) + headerLines(response.headers, slot, this.settings.date);
    if (!bodyless && !hasHeader(response.headers, 'content-length')) {
      const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      head += `content-length: ${length}\r\n`;
    }
    head += '\r\n';
    if (bodyless || slot.headOnly || body === undefined || body.length === 0) this.queue(head);
    else if (typeof body === 'string') this.queue(head + body);
    else {
      this.queue(head);
      this.queue(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    }
  }

  private async writeStream(slot: Slot, response: HttpResponse, body: AsyncIterable<string | Uint8Array>): Promise<void> {
    // HTTP/1.0 knows no chunks: the body runs to the end of the connection.
    const chunked = !slot.http10;
    if (!chunked) slot.closeAfter = true;
    this.queue(`${statusLine(response.status)}${headerLines(response.headers, slot, this.settings.date)}${chunked && !hasHeader(response.headers, 'transfer-encoding') ? 'transfer-encoding: chunked\r\n' : ''}\r\n`);
    if (slot.headOnly) {
      await body[Symbol.asyncIterator]().return?.();
      return;
    }
    try {
      for await (const chunk of body) {
        if (this.closed) break;
        const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        if (bytes === 0) continue;
        if (!chunked) this.queue(typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        else if (typeof chunk === 'string' && chunk.length < BIG_STRING) this.queue(`${bytes.toString(16)}\r\n${chunk}\r\n`);
        else {
          this.queue(`${bytes.toString(16)}\r\n`);
          this.queue(typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          this.queue('\r\n');
        }
        if (this.outBytes + this.socket.writableLength > STREAM_HIGH_WATER_BYTES) {
          this.flush();
          if (this.socket.writableLength > STREAM_HIGH_WATER_BYTES) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
        }
      }
    } catch (error) {
      this.settings.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'Streaming response failed');
      // The client cannot tell a cut stream from a whole one unless the connection ends.
      slot.closeAfter = true;
      return;
    }
    if (chunked && !this.closed) this.queue('0\r\n\r\n');
  }

  private queue(data: string | Buffer): void {
    this.out.push(data);
    this.outBytes += data.length;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Everything queued, in one write: adjacent small strings joined, buffers and big strings
   * (the chunks of `/master/state`) beside them by writev, not copied into a join.
   */
  private flush(): void {
    this.flushScheduled = false;
    const out = this.out;
    this.out = [];
    this.outBytes = 0;
    if (this.closed) return;
    const socket = this.socket;
    if (out.length === 1) socket.write(out[0]!);
    else if (out.length > 1) {
      socket.cork();
      let text = '';
      for (const item of out) {
        if (typeof item === 'string' && item.length < BIG_STRING) text += item;
        else {
          if (text !== '') socket.write(text);
          text = '';
          socket.write(item);
        }
      }
      if (text !== '') socket.write(text);
      socket.uncork();
    }
    if (this.endAfterFlush) socket.end();
  }

  private releaseDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * The client sent all it will. What was read is still answered, then the connection closes;
   * but a client that ends its side has usually gone away, so the requests' signals abort (a
   * stream stops, as node:http stops it when the client's side ends).
   */
  private clientEnded(): void {
    this.readingDone = true;
    if (this.first === this.slots.length && !this.streaming) {
      this.endAfterFlush = true;
      this.scheduleFlush();
      return;
    }
    this.slots.at(-1)!.closeAfter = true;
    this.abortPending();
  }

  private abortPending(): void {
    for (let i = this.first; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      slot.aborted = true;
      slot.abort?.abort(CONNECTION_CLOSED);
    }
  }

  private closedNow(): void {
    this.closed = true;
    this.readingDone = true;
    this.releaseDrainWaiters();
    this.abortPending();
  }
}

function parseHead(text: string): RequestHead {
  const lines = text.split('\r\n');
  const requestLine = lines[0]!;
  const firstSpace = requestLine.indexOf(' ');
  const lastSpace = requestLine.lastIndexOf(' ');
  if (firstSpace <= 0 || lastSpace === firstSpace) throw new HttpError(400, `Malformed request line '${requestLine.slice(0, 200)}'`);
  const method = requestLine.slice(0, firstSpace);
  const url = requestLine.slice(firstSpace + 1, lastSpace);
  const protocol = requestLine.slice(lastSpace + 1);
  if (!TOKEN.test(method)) throw new HttpError(400, `Malformed method '${method.slice(0, 40)}'`);
  if (url === '' || url.includes(' ')) throw new HttpError(400, `Malformed request target '${url.slice(0, 200)}'`);
  if (protocol !== 'HTTP/1.1' && protocol !== 'HTTP/1.0') throw new HttpError(protocol.startsWith('HTTP/') ? 505 : 400, `Unsupported protocol '${protocol.slice(0, 20)}'`);
  // No prototype: a header named `constructor` or `__proto__` is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpError(400, `Malformed header line '${line.slice(0, 200)}'`);
    const name = line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(name)) throw new HttpError(400, `Malformed header name '${name.slice(0, 100)}'`);
    const value = line.slice(colon + 1).trim();
    const before = headers[name];
    headers[name] = before === undefined ? value : `${before}, ${value}`;
  }
  return { method, url, version: protocol === 'HTTP/1.1' ? '1.1' : '1.0', headers };
}

/** The path (as `new URL` normalises it) and the query of a request target. */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const mark = target.indexOf('?');
  const raw = mark < 0 ? target : target.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? '' : target.slice(mark + 1));
  if (PLAIN_PATH.test(raw) && !raw.includes('/.')) return { path: raw, query };
  try {
    const url = new URL(target, 'http://localhost');
    return { path: url.pathname, query: url.searchParams };
  } catch {
    throw new HttpError(400, `Malformed request target '${target.slice(0, 200)}'`);
  }
}

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
}

/** The `date` header's text, made at most once a second. */
class DateHeader {
  private text = '';
  private atMs = 0;

  now(): string {
    const now = Date.now();
    if (now - this.atMs >= 1000) {
      this.atMs = now;
      this.text = new Date(now).toUTCString();
    }
    return this.text;
  }
}

/** The response's own headers, then `date` and what the connection does next. */
function headerLines(headers: Readonly<Record<string, string>> | undefined, slot: Slot, date: DateHeader): string {
  let lines = '';
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name]!;
      // A header value never carries a line break into the head (no response splitting).
      lines += `${name}: ${/[\r\n]/.test(value) ? value.replace(/[\r\n]+/g, ' ') : value}\r\n`;
    }
  }
  lines += `date: ${date.now()}\r\n`;
  if (slot.closeAfter) lines += 'connection: close\r\n';
  else if (slot.http10) lines += 'connection: keep-alive\r\n';
  return lines;
}

function hasHeader(headers: Readonly<Record<string, string>> | undefined, name: string): boolean {
  if (headers === undefined) return false;
  for (const key in headers) if (key.toLowerCase() === name) return true;
  return false;
}

/** `Reading.chunkLeft` once a chunk's data is read, before its CRLF. */
const AFTER_CHUNK_DATA = -3;
