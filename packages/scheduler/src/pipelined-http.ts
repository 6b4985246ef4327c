import { connect, type Socket } from 'node:net';

/** A response: its status, headers (names in lower case) and body as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

interface Pending {
  readonly request: Buffer;
  readonly resolve: (answer: HttpAnswer) => void;
  readonly reject: (error: Error) => void;
  /** Written on a connection that had answered before: a reset means the server closed it as the request went out. */
  reused: boolean;
  retried: boolean;
}

const MAX_HEAD_BYTES = 64 * 1024;
/**
 * Requests written and not yet answered, at most: the rest wait here. A server keeps the
 * requests it has read and not answered in order, and Node's does so in an array it shifts
 * per answer; thousands pipelined on one connection (a framework acknowledging a burst of
 * updates) made each answer cost the master time in proportion to the queue.
 */
export const MAX_PIPELINED = 128;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * HTTP/1.1 POSTs to one server over one kept-alive connection, pipelined: the requests made
 * in one turn of the event loop go out in a single write, and their answers are matched to them
 * in order. A framework acknowledges every status update with a call of its own; sent this way,
 * a burst of them costs one write here and lets the master read, handle and answer them as a
 * batch, where `node:http` wrote each on its own (and built a request object for it).
 *
 * As Node's own agent does, a request that meets a reset on a connection that had already
 * answered (the server closed it, idle, as the request went out) is sent once more on a new
 * one; so are those still unanswered when the server says `Connection: close`, which it does
 * not read past. Any other failure rejects what is unanswered. (Should a repeated scheduler
 * call reach the master twice, it is one the master already handles: an ACCEPT of a used offer
 * is refused, an acknowledgement is taken once.)
 */
export class PipelinedConnection {
  private socket: Socket | undefined;
  /** Waiting to be written: `queued` from index `head` on (taken from the front without shifting). */
  private queued: Pending[] = [];
  private head = 0;
  private inflight: Pending[] = [];
  private flushScheduled = false;
  private parser = new ResponseParser();
  private answered = 0;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** POSTs `body` to `path`; resolves with whatever status the server answers. */
  post(path: string, headers: Readonly<Record<string, string>>, body: string): Promise<HttpAnswer> {
    if (this.closed) return Promise.reject(new Error('The connection was closed'));
    const data = Buffer.from(body, 'utf8');
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${data.length}\r\n`;
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return Promise.reject(new Error(`Header '${name}' has a line break`));
      head += `${name}: ${value}\r\n`;
    }
    const request = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), data]);
    return new Promise((resolve, reject) => {
      this.queued.push({ request, resolve, reject, reused: false, retried: false });
      this.scheduleFlush();
    });
  }

  /** Closes the connection; what is unanswered is rejected. */
  close(): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    const error = new Error('The connection was closed');
    for (const p of [...this.inflight, ...this.queued.slice(this.head)]) p.reject(error);
    this.inflight = [];
    this.queued = [];
    this.head = 0;
  }

  /** Writes what is queued at the end of this turn of the event loop, with whatever else it queues. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const room = MAX_PIPELINED - this.inflight.length;
    if (this.head === this.queued.length || this.closed || room <= 0) return;
    const socket = this.socket ?? this.open();
    const batch = this.queued.slice(this.head, this.head + room);
    this.head += batch.length;
    if (this.head === this.queued.length) {
      this.queued = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queued.length) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
    const reused = this.answered > 0;
    for (const p of batch) p.reused = reused;
    this.inflight.push(...batch);
    socket.ref();
    socket.write(batch.length === 1 ? batch[0]!.request : Buffer.concat(batch.map((p) => p.request)));
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.answered = 0;
    this.parser = new ResponseParser();
    socket.on('data', (chunk: Buffer) => this.received(socket, chunk));
    socket.on('error', (error) => this.lost(socket, error));
    socket.on('close', () => this.lost(socket, undefined));
    return socket;
  }

  private received(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    let answers: { answer: HttpAnswer; close: boolean }[];
    try {
      answers = this.parser.push(chunk);
    } catch (error) {
      this.drop(socket, error instanceof Error ? error : new Error(String(error)), false);
      return;
    }
    for (const { answer, close } of answers) {
      const pending = this.inflight.shift();
      if (pending === undefined) {
        this.drop(socket, new Error(`An answer (${answer.status}) that no request asked for`), false);
        return;
      }
      this.answered++;
      pending.resolve(answer);
      if (close) {
        // The server reads no further: what it has not answered goes again on a new connection.
        this.drop(socket, undefined, true);
        return;
      }
    }
    if (this.head < this.queued.length) this.scheduleFlush();
    if (this.inflight.length === 0) socket.unref();
  }

  private lost(socket: Socket, error: Error | undefined): void {
    if (socket !== this.socket) return;
    const ended = this.parser.end();
    if (ended !== undefined) {
      // A body that ran to the end of the connection.
      const pending = this.inflight.shift();
      pending?.resolve(ended);
    }
    const reset = error === undefined || ['ECONNRESET', 'EPIPE'].includes((error as NodeJS.ErrnoException).code ?? '');
    this.drop(socket, error ?? new Error('The server closed the connection'), false, reset);
  }

  /** Gives up this socket: unanswered requests go again (once) when that is safe, else fail. */
  private drop(socket: Socket, error: Error | undefined, unread: boolean, reset = false): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
    const unanswered = this.inflight;
    this.inflight = [];
    const again: Pending[] = [];
    for (const p of unanswered) {
      if (!p.retried && (unread || (reset && p.reused))) {
        p.retried = true;
        again.push(p);
      } else p.reject(error ?? new Error('The server closed the connection'));
    }
    if (again.length > 0) {
      this.queued = [...again, ...this.queued.slice(this.head)];
      this.head = 0;
      this.scheduleFlush();
    }
  }
}

type Body = { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' } | { readonly kind: 'close' };

/** Splits a stream of HTTP/1.1 responses into answers (Content-Length, chunked, or to the end of the connection). */
export class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private head: { status: number; headers: Record<string, string>; body: Body; close: boolean } | undefined;

  push(chunk: Buffer): { answer: HttpAnswer; close: boolean }[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const answers: { answer: HttpAnswer; close: boolean }[] = [];
    for (;;) {
      if (this.head === undefined) {
        const end = this.buffer.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffer.length > MAX_HEAD_BYTES) throw new Error('An answer whose head is too long');
          return answers;
        }
        this.head = parseHead(this.buffer.subarray(0, end).toString('latin1'));
        this.buffer = this.buffer.subarray(end + HEAD_END.length);
        if (this.head.status >= 100 && this.head.status < 200) {
          this.head = undefined; // 100 Continue and the like: the real answer follows
          continue;
        }
      }
      const { body } = this.head;
      let text: string;
      if (body.kind === 'length') {
        if (this.buffer.length < body.length) return answers;
        text = this.buffer.subarray(0, body.length).toString('utf8');
        this.buffer = this.buffer.subarray(body.length);
      } else if (body.kind === 'chunked') {
        const chunked = parseChunked(this.buffer);
        if (chunked === undefined) return answers;
        text = chunked.body.toString('utf8');
        this.buffer = this.buffer.subarray(chunked.used);
      } else {
        return answers; // to the end of the connection: `end` finishes it
      }
      answers.push({ answer: { status: this.head.status, headers: this.head.headers, text }, close: this.head.close });
      this.head = undefined;
      if (answers[answers.length - 1]!.close) return answers;
    }
  }

  /** The connection ended: an answer whose body ran to its end, if one was being read. */
  end(): HttpAnswer | undefined {
    if (this.head?.body.kind !== 'close') return undefined;
    const answer = { status: this.head.status, headers: this.head.headers, text: this.buffer.toString('utf8') };
    this.head = undefined;
    this.buffer = Buffer.alloc(0);
    return answer;
  }
}

function parseHead(text: string): { status: number; headers: Record<string, string>; body: Body; close: boolean } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (statusLine === null) throw new Error(`Not an HTTP answer: '${(lines[0] ?? '').slice(0, 80)}'`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`A malformed header line in an answer: '${line.slice(0, 80)}'`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine[2]);
  const connection = (headers['connection'] ?? '').toLowerCase();
  const close = connection.includes('close') || (statusLine[1] === '0' && !connection.includes('keep-alive'));
  let body: Body;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) body = { kind: 'length', length: 0 };
  else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) body = { kind: 'chunked' };
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(`An answer with Content-Length '${headers['content-length']}'`);
    body = { kind: 'length', length };
  } else body = { kind: 'close' };
  return { status, headers, body, close: close || body.kind === 'close' };
}

/** A whole chunked body at the start of `buffer` (and how many bytes it took), or undefined while it is incomplete. */
function parseChunked(buffer: Buffer): { body: Buffer; used: number } | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buffer.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (Number.isNaN(size) || size < 0) throw new Error('A malformed chunk in an answer');
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      for (;;) {
        const end = buffer.indexOf('\r\n', at);
        if (end < 0) return undefined;
        const empty = end === at;
        at = end + 2;
        if (empty) return { body: Buffer.concat(parts), used: at };
      }
    }
    if (buffer.length < at + size + 2) return undefined;
    parts.push(buffer.subarray(at, at + size));
    at += size + 2;
  }
}
