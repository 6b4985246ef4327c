import { request } from 'node:http';
import { dockerEndpoint, formatDockerEndpoint, type DockerEndpoint } from './docker-endpoint.js';

export interface DockerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface DockerRequestOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly timeoutMs?: number;
  readonly endpoint?: DockerEndpoint;
}

/**
 * One call to the Docker Engine API (unversioned paths: `/_ping`, `/containers/create`, ...)
 * with Node's own HTTP client, so tests need no Docker SDK. Resolves with any HTTP status;
 * rejects only when the engine cannot be reached or does not answer within `timeoutMs`.
 */
export function dockerRequest(method: string, path: string, options: DockerRequestOptions = {}): Promise<DockerResponse> {
  let endpoint: DockerEndpoint;
  try {
    endpoint = options.endpoint ?? dockerEndpoint();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...target,
        method,
        path,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    // A deadline for the whole exchange, not just socket idleness (`wait` may idle for long).
    const timer = setTimeout(() => {
      const where = formatDockerEndpoint(endpoint);
      req.destroy(Object.assign(new Error(`Docker API ${method} ${path} at ${where} took over ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(payload);
  });
}

/** Parses a JSON response body; says which call returned what when it is not JSON. */
export function dockerJson(response: DockerResponse, call: string): unknown {
  const text = response.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Docker API ${call} returned ${response.status} with a body that is not JSON: '${text.slice(0, 200)}'`);
  }
}
