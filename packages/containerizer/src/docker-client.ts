import { request as httpRequest, type IncomingMessage } from 'node:http';

/** An answer from the Docker engine API. */
export interface DockerAnswer {
  readonly status: number;
  readonly body: string;
}

export class DockerError extends Error {
  readonly _tag = 'DockerError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The engine's error message from a JSON `{message}` body, or the body itself. */
function engineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return body.trim();
}

/**
 * A small client of the Docker engine API over its unix socket (docs.docker.com/engine/api):
 * the calls the Docker containerizer makes, JSON in and out, and the multiplexed log stream.
 */
export class DockerClient {
  constructor(readonly socketPath = '/var/run/docker.sock') {}

  private open(method: string, path: string, body: unknown, timeoutMs: number | undefined): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        { socketPath: this.socketPath, method, path, headers: { host: 'docker', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) } },
        resolve,
      );
      req.on('error', (error) => reject(new DockerError(0, `Docker engine at ${this.socketPath}: ${error.message}`)));
      if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.end(payload);
    });
  }

  /** One call, its whole answer read. */
  async call(method: string, path: string, body?: unknown, timeoutMs: number | undefined = 30_000): Promise<DockerAnswer> {
    const response = await this.open(method, path, body, timeoutMs);
    const chunks: Buffer[] = [];
    for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
    return { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** A call that must answer one of `ok`; its JSON body (or undefined when empty). Throws `DockerError` with the engine's message otherwise. */
  async json<T>(method: string, path: string, body?: unknown, ok: readonly number[] = [200, 201, 204], timeoutMs?: number): Promise<T> {
    const answer = await this.call(method, path, body, timeoutMs);
    if (!ok.includes(answer.status)) throw new DockerError(answer.status, engineMessage(answer.body));
    return (answer.body === '' ? undefined : JSON.parse(answer.body)) as T;
  }

  /**
   * Follows a container's output (`/containers/{id}/logs?follow=1`), demultiplexing the
   * engine's frames (8-byte header: stream 1 stdout, 2 stderr; 4-byte big-endian length).
   * Resolves when the container's output ends.
   */
  async followLogs(id: string, onStdout: (data: Buffer) => void, onStderr: (data: Buffer) => void, sinceSeconds?: number): Promise<void> {
    const response = await this.open('GET', `/containers/${id}/logs?follow=1&stdout=1&stderr=1${sinceSeconds === undefined ? '' : `&since=${sinceSeconds}`}`, undefined, undefined);
    if (response.statusCode !== 200) {
      response.resume();
      throw new DockerError(response.statusCode ?? 0, `logs of ${id}: status ${response.statusCode}`);
    }
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of response as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const length = pending.readUInt32BE(4);
        if (pending.length < 8 + length) break;
        const data = pending.subarray(8, 8 + length);
        if (pending[0] === 2) onStderr(data);
        else onStdout(data);
        pending = pending.subarray(8 + length);
      }
    }
  }
}
