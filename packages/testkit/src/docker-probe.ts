import { dockerRequest, dockerSocket, TEST_IMAGE } from './docker-api.js';
import { found, missing, type ServiceProbe } from './service-probe.js';

/** A Docker engine that answers `/_ping` and has the local test image. */
export async function probeDocker(image = TEST_IMAGE): Promise<ServiceProbe> {
  const socket = dockerSocket();
  try {
    const ping = await dockerRequest('GET', '/_ping', undefined, 3000);
    if (ping.status !== 200) return missing('Docker', `Docker at unix://${socket} answered /_ping with ${ping.status}`);
    const inspect = await dockerRequest('GET', `/images/${encodeURIComponent(image)}/json`, undefined, 3000);
    if (inspect.status !== 200) return missing('Docker', `Docker at unix://${socket} has no image '${image}'`);
    return found('Docker', `answers at unix://${socket} with image '${image}'`);
  } catch (error) {
    return missing('Docker', `Docker at unix://${socket} is not usable: ${error instanceof Error ? error.message : String(error)}`);
  }
}
