import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeDocker } from './docker-probe.js';

// A stand-in engine on a unix socket in a temp dir, answering the two calls the probe makes.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fakeEngine(images: readonly string[], ping = { status: 200, body: 'OK' }): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'testkit-docker-'));
  const socketPath = join(dir, 'docker.sock');
  const server: Server = createServer((req, res) => {
    if (req.url === '/_ping') {
      res.writeHead(ping.status, { 'api-version': '1.41' }).end(ping.body);
      return;
    }
    const image = /^\/images\/(.+)\/json$/.exec(req.url ?? '')?.[1];
    const found = image !== undefined && images.includes(decodeURI(image));
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' }).end(found ? '{}' : '{"message":"No such image"}');
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  cleanups.push(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  return { DOCKER_HOST: `unix://${socketPath}` };
}

describe('probeDocker', () => {
  it('is available when the engine answers and holds the image', async () => {
    const env = await fakeEngine(['ts-mesos/busybox:latest']);
    const probe = await probeDocker({ env });
    expect(probe).toMatchObject({ name: 'Docker', available: true, apiVersion: '1.41', imagePresent: true, image: 'ts-mesos/busybox:latest' });
    expect(probe.reason).toBe(`Docker answers at ${env['DOCKER_HOST']} (API 1.41) with image 'ts-mesos/busybox:latest'`);
  });

  it('says which image is missing', async () => {
    const env = await fakeEngine([]);
    const probe = await probeDocker({ env });
    expect(probe).toMatchObject({ available: false, imagePresent: false, apiVersion: '1.41' });
    expect(probe.reason).toBe(
      `Docker at ${env['DOCKER_HOST']} answers, but has no image 'ts-mesos/busybox:latest' (tools/services imports it; no registry is reachable)`,
    );
  });

  it('reports an engine that answers /_ping with an error', async () => {
    const env = await fakeEngine([], { status: 500, body: 'boom' });
    expect((await probeDocker({ env })).reason).toBe(`Docker at ${env['DOCKER_HOST']} answered GET /_ping with 500 'boom' instead of 200 'OK'`);
  });

  it('reports a missing socket with its error code', async () => {
    const probe = await probeDocker({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, timeoutMs: 1000 });
    expect(probe).toMatchObject({ available: false, endpoint: { kind: 'unix', socketPath: '/nonexistent/docker.sock' } });
    expect(probe.reason).toBe('Docker at unix:///nonexistent/docker.sock did not answer GET /_ping within 1000 ms: ENOENT');
  });

  it('reports an unusable DOCKER_HOST', async () => {
    const probe = await probeDocker({ env: { DOCKER_HOST: 'npipe:////./pipe/docker_engine' } });
    expect(probe).toMatchObject({ available: false, endpoint: undefined });
    expect(probe.reason).toMatch(/^Unsupported DOCKER_HOST 'npipe/);
  });
});
