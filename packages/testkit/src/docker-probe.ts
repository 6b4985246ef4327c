import { dockerEndpoint, formatDockerEndpoint, type DockerEndpoint } from './docker-endpoint.js';
import { dockerRequest } from './docker-request.js';
import { TEST_IMAGE } from './service-addresses.js';
import { describeError, type ServiceProbe } from './service-probe.js';

export interface DockerProbe extends ServiceProbe {
  /** Where the engine was looked for; `undefined` when `DOCKER_HOST` is unusable. */
  readonly endpoint: DockerEndpoint | undefined;
  /** The engine's API version from the `/_ping` headers, when it answered. */
  readonly apiVersion: string | undefined;
  readonly image: string;
  readonly imagePresent: boolean;
}

export interface DockerProbeOptions {
  readonly image?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** A Docker engine that answers `GET /_ping` with `OK` and holds the test image. */
export async function probeDocker(options: DockerProbeOptions = {}): Promise<DockerProbe> {
  const name = 'Docker';
  const image = options.image ?? TEST_IMAGE;
  const timeoutMs = options.timeoutMs ?? 3000;
  const none = { name, available: false, apiVersion: undefined, image, imagePresent: false } as const;
  let endpoint: DockerEndpoint;
  try {
    endpoint = dockerEndpoint(options.env ?? process.env);
  } catch (error) {
    return { ...none, reason: describeError(error), endpoint: undefined };
  }
  const where = formatDockerEndpoint(endpoint);
  let apiVersion: string | undefined;
  try {
    const ping = await dockerRequest('GET', '/_ping', { endpoint, timeoutMs });
    const body = ping.body.toString('utf8');
    if (ping.status !== 200 || body !== 'OK') {
      return { ...none, endpoint, reason: `Docker at ${where} answered GET /_ping with ${ping.status} '${body.slice(0, 200)}' instead of 200 'OK'` };
    }
    const header = ping.headers['api-version'];
    apiVersion = typeof header === 'string' ? header : undefined;
  } catch (error) {
    return { ...none, endpoint, reason: `Docker at ${where} did not answer GET /_ping within ${timeoutMs} ms: ${describeError(error)}` };
  }
  try {
    const inspect = await dockerRequest('GET', `/images/${encodeURI(image)}/json`, { endpoint, timeoutMs });
    if (inspect.status === 404) {
      const reason = `Docker at ${where} answers, but has no image '${image}' (tools/services imports it; no registry is reachable)`;
      return { ...none, endpoint, apiVersion, reason };
    }
    if (inspect.status !== 200) {
      return { ...none, endpoint, apiVersion, reason: `Docker at ${where} answered GET /images/${image}/json with ${inspect.status}` };
    }
  } catch (error) {
    return { ...none, endpoint, apiVersion, reason: `Docker at ${where} did not describe image '${image}' within ${timeoutMs} ms: ${describeError(error)}` };
  }
  const reason = `Docker answers at ${where} (API ${apiVersion ?? 'version unknown'}) with image '${image}'`;
  return { name, available: true, reason, endpoint, apiVersion, image, imagePresent: true };
}
