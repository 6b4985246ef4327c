// The Docker containerizer against the real engine `tools/services` starts, with the local
// busybox image it imports. Under CI=true a missing engine fails this file; elsewhere it is
// skipped with the reason.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ContainerId, parseResources } from '@ts-mesos/protocol';
import { describeWithService, probeDocker, TEST_IMAGE } from '@ts-mesos/testkit';
import { type ContainerConfig, ContainerLaunchError, DockerClient, DockerContainerizer } from '../src/index.js';

const docker = await probeDocker();

describeWithService(docker, 'Docker containerizer', () => {
  const client = new DockerClient();
  let root: string;
  let containerizer: DockerContainerizer;
  let count = 0;

  const config = (command: string, res = 'cpus:0.5;mem:64', image = TEST_IMAGE): ContainerConfig => {
    const containerId = ContainerId(`d${++count}-${process.pid}`);
    const sandboxDir = join(root, containerId);
    mkdirSync(sandboxDir, { recursive: true });
    const parsed = parseResources(res);
    if (!parsed.ok) throw new Error(parsed.error);
    return { containerId, sandboxDir, command: { value: command }, environment: { FROM_AGENT: 'yes' }, resources: parsed.value, container: { type: 'DOCKER', docker: { image, network: 'NONE' } }, labels: { 'ts-mesos.task': containerId } };
  };
  const file = (c: ContainerConfig, name: string): string => (existsSync(join(c.sandboxDir, name)) ? readFileSync(join(c.sandboxDir, name), 'utf8') : '');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'docker-containerizer-'));
    containerizer = new DockerContainerizer();
  });

  afterEach(async () => {
    await Promise.all(containerizer.containers().map((id) => containerizer.destroy(id, 0).catch(() => undefined)));
    rmSync(root, { recursive: true, force: true });
  });

  it('runs the command in the image with the sandbox mounted, streams its output, and reports its exit', async () => {
    const c = config('echo "hello $FROM_AGENT from $MESOS_SANDBOX"; echo oops >&2; echo written > /mnt/mesos/sandbox/out.txt; exit 3');
    const checkpoint = await containerizer.launch(c);
    expect(checkpoint.containerizer).toBe('docker');
    const termination = await containerizer.wait(c.containerId);
    expect(termination).toMatchObject({ exitCode: 3, message: 'Command exited with status 3' });
    expect(file(c, 'stdout')).toBe('hello yes from /mnt/mesos/sandbox\n');
    expect(file(c, 'stderr')).toBe('oops\n');
    expect(file(c, 'out.txt')).toBe('written\n');
    // The engine's container is removed once waited for.
    expect((await client.call('GET', `/containers/${String(checkpoint.state['dockerId'])}/json`)).status).toBe(404);
  });

  it('kills with SIGTERM, then SIGKILL after the grace period', async () => {
    const c = config('trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 1; done');
    await containerizer.launch(c);
    for (let i = 0; i < 200 && !file(c, 'stdout').includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
    const termination = await containerizer.destroy(c.containerId, 5000);
    expect(termination.exitCode).toBe(0);
    expect(file(c, 'stdout')).toContain('got TERM');
    const stubborn = config('trap "" TERM; echo ready; while true; do sleep 1; done');
    await containerizer.launch(stubborn);
    for (let i = 0; i < 200 && !file(stubborn, 'stdout').includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
    const killed = await containerizer.destroy(stubborn.containerId, 1000);
    expect(killed.signal).toBe('SIGKILL');
  });

  it('reports a memory hog with REASON_CONTAINER_LIMITATION_MEMORY, and usage with its limit', async () => {
    const sleeper = config('sleep 30', 'cpus:0.25;mem:48');
    await containerizer.launch(sleeper);
    const usage = await containerizer.usage(sleeper.containerId);
    expect(usage.mem_limit_bytes).toBe(48 * 1024 * 1024);
    expect(usage.cpus_limit).toBe(0.25);
    const hog = config('head -c 200000000 /dev/zero | tail > /dev/null', 'cpus:0.5;mem:32');
    await containerizer.launch(hog);
    const termination = await containerizer.wait(hog.containerId);
    expect(termination.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
  });

  it('fails the launch clearly when the image is not here and cannot be pulled', async () => {
    const c = config('true', 'cpus:0.1;mem:32', 'ts-mesos/not-here:1');
    await expect(containerizer.launch(c)).rejects.toBeInstanceOf(ContainerLaunchError);
    await expect(containerizer.launch(config('true', 'cpus:0.1;mem:32', 'ts-mesos/not-here:1'))).rejects.toThrow(/Failed to pull image 'ts-mesos\/not-here:1'/);
  });

  it('re-adopts a running container in a new instance (an agent restart) and learns how it ends', async () => {
    const c = config('echo before; sleep 2; echo after; exit 4');
    const checkpoint = await containerizer.launch(c);
    for (let i = 0; i < 200 && !file(c, 'stdout').includes('before'); i++) await new Promise((r) => setTimeout(r, 25));
    const restarted = new DockerContainerizer();
    await restarted.recover([checkpoint]);
    expect(restarted.containers()).toEqual([c.containerId]);
    expect((await restarted.wait(c.containerId)).exitCode).toBe(4);
    await containerizer.wait(c.containerId).catch(() => undefined);
  });
});
