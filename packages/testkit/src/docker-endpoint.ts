import { parseHostPort } from './host-port.js';
import { DOCKER_SOCKET } from './service-addresses.js';

/** Where the Docker Engine API listens: a unix socket, or plain TCP. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/**
 * The engine `DOCKER_HOST` names (`unix:///path`, `tcp://host:port`), or the default socket.
 * Throws on a `DOCKER_HOST` this kit cannot speak to (TLS, ssh, npipe).
 */
export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const host = env['DOCKER_HOST'];
  if (host === undefined || host === '') return { kind: 'unix', socketPath: DOCKER_SOCKET };
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://')) {
    if (env['DOCKER_TLS_VERIFY'] !== undefined && env['DOCKER_TLS_VERIFY'] !== '') {
      throw new Error(`Unsupported DOCKER_HOST '${host}': TLS (DOCKER_TLS_VERIFY) is not supported by @ts-mesos/testkit`);
    }
    return { kind: 'tcp', ...parseHostPort(host.slice('tcp://'.length).replace(/\/+$/, '')) };
  }
  throw new Error(`Unsupported DOCKER_HOST '${host}': expected 'unix:///path' or 'tcp://host:port'`);
}

/** `unix:///var/run/docker.sock` or `tcp://host:port`, for messages. */
export function formatDockerEndpoint(endpoint: DockerEndpoint): string {
  return endpoint.kind === 'unix' ? `unix://${endpoint.socketPath}` : `tcp://${endpoint.host}:${endpoint.port}`;
}
