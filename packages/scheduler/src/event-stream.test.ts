import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStream } from './event-stream.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

describe('openStream', () => {
  it('follows a 307 to the leader, reads the stream id and hands over the stream as it comes', async () => {
    let body = '';
    const leader = await serve((req, res) => {
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'mesos-stream-id': 'stream-1', 'content-type': 'application/json' });
        res.write('5\nhello');
        setTimeout(() => res.end('5\nworld'), 20);
      });
    });
    const standby = await serve((req, res) => {
      req.resume();
      res.writeHead(307, { location: `//127.0.0.1:${leader}/api/v1/scheduler` });
      res.end();
    });
    const stream = await openStream(`http://127.0.0.1:${standby}/api/v1/scheduler`, '{"type":"SUBSCRIBE"}', new AbortController().signal);
    expect(stream).toMatchObject({ status: 200, url: `http://127.0.0.1:${leader}/api/v1/scheduler`, streamId: 'stream-1' });
    expect(body).toBe('{"type":"SUBSCRIBE"}');
    let received = '';
    for await (const chunk of stream.body) received += Buffer.from(chunk).toString();
    expect(received).toBe('5\nhello5\nworld');
  });

  it('gives the text of a refusal, and ends an aborted stream with an error', async () => {
    const port = await serve((req, res) => {
      req.resume();
      if (req.headers['x-test'] === undefined && req.url === '/refuse') {
        res.writeHead(403);
        res.end('Framework has been removed');
        return;
      }
      res.writeHead(200);
      res.write('1\na');
    });
    const refused = await openStream(`http://127.0.0.1:${port}/refuse`, '{}', new AbortController().signal);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe('Framework has been removed');

    const abort = new AbortController();
    const stream = await openStream(`http://127.0.0.1:${port}/stream`, '{}', abort.signal);
    setTimeout(() => abort.abort(new Error('no heartbeat')), 20);
    const chunks: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream.body) chunks.push(Buffer.from(chunk).toString());
      })(),
    ).rejects.toThrow();
    expect(chunks).toEqual(['1\na']);
  });
});
