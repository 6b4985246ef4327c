import { connect, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResponse } from './http.js';
import { HttpServer, type RequestHead } from './http-server.js';
import { silentLogger } from './logger.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  port: number;
  seen: HttpRequest[];
}

async function start(
  handler: (request: HttpRequest) => HttpResponse | Promise<HttpResponse> = (r) => ({ status: 200, body: `${r.method} ${r.path}` }),
  options: { maxBodyBytes?: number; maxHeadBytes?: number; requestTimeoutMs?: number; upgrade?: (head: RequestHead, socket: Socket, rest: Buffer) => void } = {},
): Promise<Started> {
  const seen: HttpRequest[] = [];
  const server = new HttpServer({
    maxBodyBytes: options.maxBodyBytes ?? 1024,
    ...(options.maxHeadBytes === undefined ? {} : { maxHeadBytes: options.maxHeadBytes }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    logger: silentLogger(),
    request: async (request) => {
      seen.push(request);
      return handler(request);
    },
    upgrade: options.upgrade ?? ((_, socket) => socket.destroy()),
  });
  const port = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  return { port, seen };
}

/** A raw client: what it sent, all it received, and whether the server closed the connection. */
function client(port: number): { socket: Socket; text: () => string; closed: Promise<void> } {
  const socket = connect({ port, host: '127.0.0.1' });
  cleanups.push(() => void socket.destroy());
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return { socket, text: () => received, closed };
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The answers in a received byte stream: status and body, split by Content-Length. */
function answers(text: string): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [line, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const status = Number(line!.split(' ')[1]);
    const length = Number(headers['content-length'] ?? '0');
    out.push({ status, headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

describe('HttpServer', () => {
  it('answers pipelined requests in the order they came, however late each answer is, in one write per turn', async () => {
    const { port } = await start(async (r) => {
      const n = Number(r.path.slice(1));
      await new Promise((resolve) => setTimeout(resolve, (50 - n) % 7)); // later requests often answered first
      return { status: 200, body: String(n) };
    });
    const c = client(port);
    c.socket.write(Array.from({ length: 50 }, (_, i) => `GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`).join(''));
    await until(() => answers(c.text()).length === 50, '50 answers');
    expect(answers(c.text()).map((a) => a.body)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('writes the answers a connection has after one turn with one socket write, not one per answer', async () => {
    const { port } = await start((r) => ({ status: 202, body: r.path }));
    // Count the writes the server's sockets make to the kernel (writev for a corked batch).
    const proto = Socket.prototype as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    const { _write: write, _writev: writev } = proto;
    let writes = 0;
    proto._write = function (this: Socket, ...a: unknown[]) {
      if (this.localPort === port) writes++;
      write.apply(this, a);
    };
    proto._writev = function (this: Socket, ...a: unknown[]) {
      if (this.localPort === port) writes++;
      writev.apply(this, a);
    };
    cleanups.push(() => {
      proto._write = write;
      proto._writev = writev;
    });
    const c = client(port);
    await new Promise((resolve) => c.socket.once('connect', resolve));
    c.socket.write(Array.from({ length: 200 }, (_, i) => `POST /${i} HTTP/1.1\r\ncontent-length: 2\r\n\r\nok`).join(''));
    await until(() => answers(c.text()).length === 200, '200 answers');
    expect(answers(c.text()).map((a) => a.body)).toEqual(Array.from({ length: 200 }, (_, i) => `/${i}`));
    // One read may bring the requests in a few pieces; node:http made 200 writes here.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThanOrEqual(10);
  });

  it('reads Content-Length and chunked bodies however the bytes are split, chunk extensions and trailers included', async () => {
    const { port, seen } = await start((r) => ({ status: 200, body: Buffer.from(r.body).toString() }));
    const c = client(port);
    const wire =
      'POST /fixed HTTP/1.1\r\ncontent-length: 11\r\n\r\nhello world' +
      'POST /chunked HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\ntrailer: x\r\n\r\n';
    for (const byte of Buffer.from(wire)) {
      c.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => answers(c.text()).length === 2, 'two answers');
    expect(answers(c.text()).map((a) => a.body)).toEqual(['hello world', 'hello 0123456789']);
    expect(seen.map((r) => r.path)).toEqual(['/fixed', '/chunked']);
  });

  it('sends 100 Continue to a client that expects it, then the answer', async () => {
    const { port } = await start((r) => ({ status: 200, body: Buffer.from(r.body).toString() }));
    const c = client(port);
    c.socket.write('POST /x HTTP/1.1\r\ncontent-length: 4\r\nexpect: 100-continue\r\n\r\n');
    await until(() => c.text().includes('100 Continue'), '100 Continue');
    c.socket.write('body');
    await until(() => c.text().includes('\r\n\r\nbody'), 'the answer');
    expect(c.text().startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
  });

  it('answers what it cannot read with 400, 413, 431, 501 or 505 and a message, after the answers before it, and closes', async () => {
    const cases: [string, number, string][] = [
      ['NOT A REQUEST\r\n\r\n', 400, 'Unsupported protocol'],
      ['GET /x\r\n\r\n', 400, 'Malformed request line'],
      ['GET /x HTTP/1.1\r\nno colon here\r\n\r\n', 400, 'Malformed header line'],
      ['POST /x HTTP/1.1\r\ncontent-length: 12x\r\n\r\n', 400, "Invalid Content-Length '12x'"],
      ['POST /x HTTP/1.1\r\ncontent-length: 5000\r\n\r\n', 413, 'exceeds the limit of 1024 bytes'],
      ['POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n800\r\n', 413, 'exceeds the limit of 1024 bytes'],
      ['POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 400, "Invalid chunk size 'zz'"],
      // The data runs past its chunk's size: the sizes do not frame the body.
      ['POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n', 400, 'Expected CRLF after chunk data'],
      ['POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n', 400, 'Expected CRLF after chunk data'],
      ['POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n', 400, 'Both Transfer-Encoding and Content-Length'],
      ['POST /x HTTP/1.1\r\ntransfer-encoding: gzip\r\n\r\n', 501, "Transfer-Encoding 'gzip' is not supported"],
      ['GET //[::1/x HTTP/1.1\r\n\r\n', 400, "Malformed request target '//[::1/x'"],
      [`GET /x HTTP/1.1\r\nbig: ${'y'.repeat(3000)}\r\n\r\n`, 431, 'Request head exceeds 2048 bytes'],
      [`GET /x HTTP/1.1\r\nbig: ${'y'.repeat(3000)}`, 431, 'Request head exceeds 2048 bytes'],
    ];
    const { port, seen } = await start(undefined, { maxHeadBytes: 2048 });
    for (const [bad, status, message] of cases) {
      const c = client(port);
      c.socket.write(`GET /first HTTP/1.1\r\n\r\n${bad}GET /never HTTP/1.1\r\n\r\n`);
      await c.closed;
      const got = answers(c.text());
      expect(got.map((a) => a.status), bad.slice(0, 60)).toEqual([200, status]);
      expect(got[0]!.body).toBe('GET /first');
      expect(got[1]!.body).toContain(message);
      expect(got[1]!.headers['connection']).toBe('close');
    }
    expect(seen.some((r) => r.path === '/never')).toBe(false);
  });

  it('answers 408 and closes a connection whose request head or body trickles in past the deadline', async () => {
    const { port, seen } = await start(undefined, { requestTimeoutMs: 300 });
    const slowHead = client(port);
    const slowBody = client(port);
    slowHead.socket.write('GET /a HTTP/1.1\r\nhost: x\r\n');
    slowBody.socket.write('POST /b HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123');
    // A byte every 50 ms: never idle, never done.
    const trickle = setInterval(() => {
      if (!slowHead.socket.destroyed) slowHead.socket.write('x');
      if (!slowBody.socket.destroyed) slowBody.socket.write('y');
    }, 50);
    try {
      await Promise.all([slowHead.closed, slowBody.closed]);
    } finally {
      clearInterval(trickle);
    }
    for (const c of [slowHead, slowBody]) {
      const [answer] = answers(c.text());
      expect(answer!.status).toBe(408);
      expect(answer!.body).toContain('not received within 300 ms');
    }
    expect(seen).toHaveLength(0);
  });

  it('gives each request of a busy keep-alive connection its own deadline, so one that sends for longer than it is not cut off', async () => {
    const { port } = await start(undefined, { requestTimeoutMs: 200 });
    const c = client(port);
    // 13 requests over ~600 ms, each split across writes and the next begun before the last ends:
    // some request is always half read.
    c.socket.write('GET /0 HTTP/1.1\r\n');
    for (let i = 1; i <= 12; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      c.socket.write(`host: x\r\n\r\nGET /${i} HTTP/1.1\r\n`);
    }
    c.socket.write('host: x\r\n\r\n');
    await until(() => answers(c.text()).length === 13, '13 answers');
    expect(answers(c.text()).map((a) => a.body)).toEqual(Array.from({ length: 13 }, (_, i) => `GET /${i}`));
    expect(c.socket.destroyed).toBe(false);
  });

  it('closes after the answer when asked (Connection: close, HTTP/1.0), keeps HTTP/1.0 keep-alive open, and answers a half-closed client', async () => {
    const { port } = await start();
    const close = client(port);
    close.socket.write('GET /a HTTP/1.1\r\nconnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n');
    await close.closed;
    expect(answers(close.text()).map((a) => a.body)).toEqual(['GET /a']);

    const old = client(port);
    old.socket.write('GET /b HTTP/1.0\r\n\r\n');
    await old.closed;
    expect(answers(old.text()).map((a) => a.body)).toEqual(['GET /b']);

    const kept = client(port);
    kept.socket.write('GET /c HTTP/1.0\r\nconnection: keep-alive\r\n\r\n');
    await until(() => answers(kept.text()).length === 1, 'an answer');
    expect(answers(kept.text())[0]!.headers['connection']).toBe('keep-alive');
    kept.socket.write('GET /d HTTP/1.0\r\n\r\n');
    await kept.closed;
    expect(answers(kept.text()).map((a) => a.body)).toEqual(['GET /c', 'GET /d']);

    const half = client(port);
    half.socket.end('GET /e HTTP/1.1\r\n\r\nGET /f HTTP/1.1\r\n\r\n');
    await half.closed;
    expect(answers(half.text()).map((a) => a.body)).toEqual(['GET /e', 'GET /f']);
  });

  it('gives HEAD the length without the body, and leaves bodies off 204', async () => {
    const { port } = await start((r) => (r.path === '/none' ? { status: 204 } : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'twelve bytes' }));
    const c = client(port);
    c.socket.write('HEAD /x HTTP/1.1\r\n\r\nGET /none HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n');
    await until(() => c.text().endsWith('twelve bytes'), 'the GET answer');
    const [head, none, get] = c.text().split(/(?=HTTP\/1\.1 )/);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*content-length: 12\r\n\r\n$/);
    expect(none).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(none).not.toContain('content-length');
    expect(get).toContain('content-type: text/plain\r\n');
  });

  it('answers HEAD of a streamed answer with its head alone, and closes the stream unread', async () => {
    const stream = { nexts: 0, returned: 0 };
    const { port } = await start((r) =>
      r.path === '/stream'
        ? {
            status: 200,
            body: {
              [Symbol.asyncIterator]: () => ({
                next: () => (stream.nexts++, Promise.resolve({ done: false, value: 'never sent' })),
                return: () => (stream.returned++, Promise.resolve({ done: true, value: undefined })),
              }),
            },
          }
        : { status: 200, body: 'after' },
    );
    const c = client(port);
    c.socket.write('HEAD /stream HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nconnection: close\r\n\r\n');
    await c.closed;
    expect(c.text()).not.toContain('never sent');
    expect(c.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*transfer-encoding: chunked\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nafter$/);
    expect(stream).toEqual({ nexts: 0, returned: 1 });
  });

  it('streams a body in chunks while later pipelined answers wait, and ends it with the last chunk', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { port } = await start((r) =>
      r.path === '/stream'
        ? {
            status: 200,
            body: (async function* () {
              yield 'one\n';
              await gate;
              yield Buffer.from('twö\n');
            })(),
          }
        : { status: 200, body: 'after' },
    );
    const c = client(port);
    c.socket.write('GET /stream HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n');
    await until(() => c.text().includes('4\r\none\n\r\n'), 'the first chunk');
    expect(c.text()).toContain('transfer-encoding: chunked\r\n');
    expect(c.text()).not.toContain('after');
    release();
    await until(() => c.text().endsWith('after'), 'the second answer');
    expect(c.text()).toContain(`4\r\none\n\r\n5\r\n${Buffer.from('twö\n').toString('latin1')}\r\n0\r\n\r\nHTTP/1.1 200 OK`);
  });

  it('aborts the signal of a request whose client went away, or ended its side, before its answer', async () => {
    const signals: AbortSignal[] = [];
    const { port } = await start(
      (r) =>
        new Promise<HttpResponse>((resolve) => {
          signals.push(r.signal);
          r.signal.addEventListener('abort', () => resolve({ status: 200 }));
        }),
    );
    const ended = client(port);
    ended.socket.write('GET /wait HTTP/1.1\r\n\r\n');
    await until(() => signals.length === 1, 'the first request');
    expect(signals[0]!.aborted).toBe(false);
    ended.socket.end(); // its side ends: gone, as far as a stream can tell
    await until(() => signals[0]!.aborted, 'the first abort');
    expect(signals[0]!.reason).toBe('connection closed');

    const gone = client(port);
    gone.socket.write('GET /wait HTTP/1.1\r\n\r\n');
    await until(() => signals.length === 2, 'the second request');
    gone.socket.destroy();
    await until(() => signals[1]!.aborted, 'the second abort');
  });

  it('splits the target into a normalised path and its query, and keeps headers with any name', async () => {
    const { port, seen } = await start();
    const c = client(port);
    c.socket.write('GET /master/state?jsonp=f&x=1 HTTP/1.1\r\nconstructor: c\r\n__proto__: p\r\nX-Two: 1\r\nx-two: 2\r\n\r\nGET /a/../slave(1)/./state HTTP/1.1\r\n\r\nGET /files/a%20b HTTP/1.1\r\n\r\n');
    await until(() => seen.length === 3, 'three requests');
    expect({ ...seen[0]!.headers }).toEqual(JSON.parse('{"constructor": "c", "__proto__": "p", "x-two": "1, 2"}'));
    expect(seen.map((r) => r.path)).toEqual(['/master/state', '/slave(1)/state', '/files/a%20b']);
    expect(seen[0]!.query.get('jsonp')).toBe('f');
    expect(seen[0]!.query.get('x')).toBe('1');
    expect(seen[0]!.remote).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('serves a request offering an upgrade other than WebSocket (h2c) as HTTP/1.1', async () => {
    let handed = false;
    const { port } = await start(undefined, { upgrade: () => (handed = true) });
    const c = client(port);
    c.socket.write('GET /x HTTP/1.1\r\nconnection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n');
    await until(() => answers(c.text()).length === 1, 'the answer');
    expect(answers(c.text())[0]).toMatchObject({ status: 200, body: 'GET /x' });
    expect(handed).toBe(false);
  });

  it('leaves a handed-over socket to its new owner: closing the server and the client ending its side do not touch it', async () => {
    let taken: Socket | undefined;
    const server = new HttpServer({
      maxBodyBytes: 1024,
      logger: silentLogger(),
      request: () => Promise.resolve({ status: 200 }),
      upgrade: (_, socket) => {
        taken = socket;
        socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
      },
    });
    const port = await server.listen(0, '127.0.0.1');
    const c = client(port);
    c.socket.write('GET /ws HTTP/1.1\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n');
    await until(() => c.text().includes('101'), 'the switch');
    // net.Server's close waits for the sockets it accepted, the handed-over one too.
    const closing = server.close();
    c.socket.end(); // the new owner decides when to end its side
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(taken!.destroyed).toBe(false);
    taken!.end('bye');
    await c.closed;
    await closing;
    expect(c.text().endsWith('bye')).toBe(true);
  });

  it('hands an upgrade over with the bytes read past its head', async () => {
    let handed: { head: RequestHead; rest: string } | undefined;
    const { port } = await start(undefined, {
      upgrade: (head, socket, rest) => {
        handed = { head, rest: rest.toString() };
        socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\nmine now');
      },
    });
    const c = client(port);
    c.socket.write('GET /ws HTTP/1.1\r\nconnection: keep-alive, Upgrade\r\nupgrade: WebSocket\r\nx-peer: a:1\r\n\r\nearly bytes');
    await c.closed;
    expect(handed?.head).toMatchObject({ method: 'GET', url: '/ws', headers: { upgrade: 'WebSocket', 'x-peer': 'a:1' } });
    expect(handed?.rest).toBe('early bytes');
    expect(c.text()).toBe('HTTP/1.1 101 Switching Protocols\r\n\r\nmine now');
  });
});
