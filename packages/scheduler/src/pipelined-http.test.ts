import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_PIPELINED, PipelinedConnection, ResponseParser } from './pipelined-http.js';

const servers: (Server | HttpServer)[] = [];
const connections: PipelinedConnection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function listen<S extends Server | HttpServer>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function client(port: number): PipelinedConnection {
  const c = new PipelinedConnection('127.0.0.1', port);
  connections.push(c);
  return c;
}

/** A raw server: `onRequest` gets each request's body (split on the blank line; bodies here have no line breaks) and the socket. */
function raw(onRequest: (body: string, socket: Socket, index: number) => void): Server {
  let index = 0;
  return createServer((socket) => {
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const head = buffer.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, head))![1]);
        if (buffer.length < head + 4 + length) return;
        const body = buffer.slice(head + 4, head + 4 + length);
        buffer = buffer.slice(head + 4 + length);
        onRequest(body, socket, index++);
      }
    });
  });
}

const ok = (body: string): string => `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('PipelinedConnection', () => {
  it('sends the requests of one turn in one write on one connection and matches the answers in order', async () => {
    let sockets = 0;
    const reads: number[] = [];
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        // Odd requests answer late: the answers must still come back to the right callers.
        const answer = (): void => {
          res.writeHead(body.endsWith('3') ? 400 : 202, { 'x-echo': body });
          res.end(body.endsWith('3') ? `bad ${body}` : '');
        };
        if (Number(body.slice(1)) % 2 === 1) setTimeout(answer, 5);
        else answer();
      });
    });
    server.on('connection', (socket: Socket) => {
      sockets++;
      socket.on('data', (chunk: Buffer) => reads.push(chunk.length));
    });
    const c = client(await listen(server));
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => c.post('/api/v1/scheduler', { 'content-type': 'application/json' }, `r${i}`)));
    expect(answers.map((a) => a.headers['x-echo'])).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(answers[3]).toMatchObject({ status: 400, text: 'bad r3' });
    expect(answers[4]).toMatchObject({ status: 202, text: '' });
    expect(sockets).toBe(1);
    expect(reads.length).toBeLessThan(50); // node:http would have written (and the server read) 50 times
    // Later requests reuse the connection.
    expect((await c.post('/x', {}, 'r7')).headers['x-echo']).toBe('r7');
    expect(sockets).toBe(1);
  });

  it(`keeps at most ${MAX_PIPELINED} requests unanswered on the connection; the rest wait, in order`, async () => {
    // The server answers each request 1 ms after it reads it, and counts what it has read and not answered.
    let unanswered = 0;
    let most = 0;
    const server = raw((body, socket) => {
      most = Math.max(most, ++unanswered);
      setTimeout(() => {
        unanswered--;
        socket.write(ok(body));
      }, 1);
    });
    const c = client(await listen(server));
    const count = MAX_PIPELINED * 4 + 7;
    const answers = await Promise.all(Array.from({ length: count }, (_, i) => c.post('/api/v1/scheduler', {}, `r${i}`)));
    expect(answers.map((a) => a.text)).toEqual(Array.from({ length: count }, (_, i) => `r${i}`));
    expect(most).toBe(MAX_PIPELINED);
  });

  it('reads chunked answers, with extensions and trailers, however they are split', () => {
    const parser = new ResponseParser();
    const stream = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n' + ok('next');
    const got: string[] = [];
    for (const byte of Buffer.from(stream)) for (const { answer } of parser.push(Buffer.from([byte]))) got.push(answer.text);
    expect(got).toEqual(['hello, world', 'next']);
  });

  it('reads an answer whose body runs to the end of the connection', async () => {
    const port = await listen(raw((_, socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nall of it')));
    expect(await client(port).post('/', {}, 'x')).toMatchObject({ status: 200, text: 'all of it' });
  });

  it('opens a new connection after the server closed an idle one', async () => {
    let sockets = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('fine'));
    });
    server.keepAliveTimeout = 50;
    let closedByServer: Promise<unknown> = Promise.resolve();
    server.on('connection', (socket: Socket) => {
      sockets++;
      closedByServer = new Promise((r) => socket.once('close', r));
    });
    const c = client(await listen(server));
    expect((await c.post('/', {}, 'a')).text).toBe('fine');
    await closedByServer; // Node closes it within about a second
    await new Promise((r) => setTimeout(r, 20)); // and the client sees the FIN
    expect((await c.post('/', {}, 'b')).text).toBe('fine');
    expect(sockets).toBe(2);
  });

  it('sends again, on a new connection, what a reused connection reset as it went out; a reset on a fresh one is an error', async () => {
    const seen: string[] = [];
    const port = await listen(
      raw((body, socket, index) => {
        seen.push(body);
        if (index === 1) socket.resetAndDestroy(); // the second request, on the kept-alive connection
        else socket.write(ok(`got ${body}`));
      }),
    );
    const c = client(port);
    expect((await c.post('/', {}, 'one')).text).toBe('got one');
    expect((await c.post('/', {}, 'two')).text).toBe('got two');
    expect(seen).toEqual(['one', 'two', 'two']);

    const fresh = client(await listen(raw((_, socket) => socket.resetAndDestroy())));
    await expect(fresh.post('/', {}, 'x')).rejects.toThrow(/ECONNRESET/);
  });

  it('sends again what the server left unread after answering with Connection: close', async () => {
    const seen: string[] = [];
    const port = await listen(
      raw((body, socket, index) => {
        seen.push(body);
        if (index === 0) socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 4\r\n\r\nlast');
        else if (index > 2) socket.write(ok(`got ${body}`)); // 1 and 2 reached the closing connection
      }),
    );
    const c = client(port);
    const answers = await Promise.all(['a', 'b', 'c'].map((b) => c.post('/', {}, b)));
    expect(answers.map((a) => a.text)).toEqual(['last', 'got b', 'got c']);
    expect(seen.slice(3)).toEqual(['b', 'c']);
  });

  it('rejects what is unanswered when the server sends something that is not HTTP, or cannot be reached', async () => {
    const port = await listen(raw((_, socket) => socket.write('SSH-2.0-nonsense\r\n\r\n')));
    await expect(client(port).post('/', {}, 'x')).rejects.toThrow(/Not an HTTP answer/);
    const closed = await listen(createServer());
    await new Promise((r) => servers.pop()!.close(r));
    await expect(client(closed).post('/', {}, 'x')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses header values that would break the request', async () => {
    await expect(client(1).post('/', { 'mesos-stream-id': 'a\r\nx: y' }, '')).rejects.toThrow(/line break/);
  });
});
