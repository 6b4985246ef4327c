import { describe, expect, it } from 'vitest';
import { dockerEndpoint, formatDockerEndpoint } from './docker-endpoint.js';

describe('dockerEndpoint', () => {
  it('defaults to the local socket', () => {
    expect(dockerEndpoint({})).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(dockerEndpoint({ DOCKER_HOST: '' })).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('follows DOCKER_HOST for unix sockets and plain TCP', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/0/docker.sock' })).toEqual({ kind: 'unix', socketPath: '/run/user/0/docker.sock' });
    const tcp = dockerEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' });
    expect(tcp).toEqual({ kind: 'tcp', host: '10.0.0.5', port: 2375 });
    expect(formatDockerEndpoint(tcp)).toBe('tcp://10.0.0.5:2375');
  });

  it('refuses what it cannot speak, quoting DOCKER_HOST', () => {
    expect(() => dockerEndpoint({ DOCKER_HOST: 'ssh://me@box' })).toThrow(
      "Unsupported DOCKER_HOST 'ssh://me@box': expected 'unix:///path' or 'tcp://host:port'",
    );
    expect(() => dockerEndpoint({ DOCKER_HOST: 'tcp://box:2376', DOCKER_TLS_VERIFY: '1' })).toThrow(/TLS/);
  });
});
