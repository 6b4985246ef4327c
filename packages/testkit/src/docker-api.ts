import { request } from 'node:http';

/** The socket `tools/services` starts dockerd on; `DOCKER_HOST=unix:///path` overrides. */
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** The local test image `tools/services` imports from busybox-static. */
export const TEST_IMAGE = 'ts-mesos/busybox:latest';

export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env['DOCKER_HOST'];
  return host?.startsWith('unix://') === true ? host.slice('unix://'.length) : DOCKER_SOCKET;
}

export interface DockerResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** One call to the Docker Engine API over its unix socket. */
export function dockerRequest(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<DockerResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: dockerSocket(),
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Docker API ${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Splits a container log stream (no TTY) into stdout and stderr. Docker frames it as
 * records of an 8-byte header (stream type, 3 zero bytes, big-endian length) and a payload.
 */
export function demuxLogs(raw: Buffer): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  let at = 0;
  while (at + 8 <= raw.length) {
    const stream = raw[at];
    const length = raw.readUInt32BE(at + 4);
    const payload = raw.subarray(at + 8, at + 8 + length).toString();
    if (stream === 2) stderr += payload;
    else stdout += payload;
    at += 8 + length;
  }
  return { stdout, stderr };
}
