import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { ContainerId, ContainerInfo } from '@ts-mesos/protocol';
import {
  type ContainerCheckpoint,
  type ContainerConfig,
  type Containerizer,
  ContainerLaunchError,
  type ResourceStatistics,
  type Termination,
  UnknownContainerError,
} from './containerizer.js';
import { DockerClient, DockerError } from './docker-client.js';
import { describeExit, signalName } from './termination.js';

/** Where Mesos mounts the sandbox in a Docker container. */
export const DOCKER_SANDBOX = '/mnt/mesos/sandbox';

export interface DockerContainerizerOptions {
  /** `--docker_socket` (`/var/run/docker.sock`). */
  readonly socket?: string;
  /** Engine container names are `<prefix><container id>` (`--docker_mesos_image`'s sibling in Mesos: `mesos-`). */
  readonly namePrefix?: string;
  /** How often a re-adopted container is checked when `wait` on the engine drops. */
  readonly pollMs?: number;
}

interface Running {
  readonly id: ContainerId;
  readonly dockerId: string;
  readonly sandboxDir: string;
  readonly memLimitBytes: number | undefined;
  readonly cpus: number | undefined;
  readonly ended: Promise<Termination>;
  killedWith: string | undefined;
}

interface EngineState {
  readonly State?: { Running?: boolean; ExitCode?: number; OOMKilled?: boolean; Error?: string };
}

/**
 * Runs tasks whose ContainerInfo is DOCKER in the local Docker engine, as Mesos's Docker
 * containerizer does: the image from the engine (pulled only when absent; a clear launch
 * failure when it cannot be), HOST, BRIDGE or NONE networking with port mappings, volumes, the
 * sandbox mounted at `/mnt/mesos/sandbox` (the working directory), cpu shares and a memory
 * limit from the task's resources, the container's stdout and stderr streamed into the
 * sandbox files, and labels naming the task. Containers outlive the agent: `recover` finds
 * them again by the engine id it checkpointed.
 */
export class DockerContainerizer implements Containerizer {
  readonly name = 'docker';
  private readonly client: DockerClient;
  private readonly running = new Map<string, Running>();
  private readonly prefix: string;

  constructor(options: DockerContainerizerOptions = {}) {
    this.client = new DockerClient(options.socket);
    this.prefix = options.namePrefix ?? 'mesos-';
  }

  supports(container: ContainerInfo | undefined): boolean {
    return container?.type === 'DOCKER' && container.docker !== undefined;
  }

  async launch(config: ContainerConfig): Promise<ContainerCheckpoint> {
    const info = config.container;
    if (info?.type !== 'DOCKER' || info.docker === undefined) throw new ContainerLaunchError(`Container '${config.containerId}' has no ContainerInfo.docker`);
    if (this.running.has(config.containerId)) throw new ContainerLaunchError(`Container '${config.containerId}' already exists`);
    const docker = info.docker;
    const image = docker.image.includes(':') || docker.image.includes('@') ? docker.image : `${docker.image}:latest`;
    await this.ensureImage(image, docker.force_pull_image === true);

    const command = config.command;
    const shell = command.shell !== false;
    const environment = { ...Object.fromEntries((command.environment?.variables ?? []).filter((v) => v.type !== 'SECRET' && v.value !== undefined).map((v) => [v.name, v.value!])), ...config.environment, MESOS_SANDBOX: DOCKER_SANDBOX };
    const cpus = config.resources.cpus();
    const mem = config.resources.mem();
    const network = docker.network ?? 'HOST';
    const body = {
      Image: image,
      ...(shell ? (command.value === undefined || command.value === '' ? {} : { Entrypoint: ['/bin/sh', '-c'], Cmd: [command.value] }) : { ...(command.value === undefined || command.value === '' ? {} : { Entrypoint: [command.value] }), Cmd: (command.arguments ?? []).slice(1) }),
      Env: Object.entries(environment).map(([k, v]) => `${k}=${v}`),
      WorkingDir: DOCKER_SANDBOX,
      Labels: { ...config.labels, 'ts-mesos.container': config.containerId },
      ...(info.hostname === undefined ? {} : { Hostname: info.hostname }),
      ExposedPorts: Object.fromEntries((docker.port_mappings ?? []).map((p) => [`${p.container_port}/${p.protocol ?? 'tcp'}`, {}])),
      HostConfig: {
        Binds: [`${config.sandboxDir}:${DOCKER_SANDBOX}:rw`, ...(info.volumes ?? []).filter((v) => v.host_path !== undefined).map((v) => `${v.host_path}:${v.container_path}:${v.mode === 'RO' ? 'ro' : 'rw'}`)],
        NetworkMode: network === 'HOST' ? 'host' : network === 'NONE' ? 'none' : 'bridge',
        PortBindings: Object.fromEntries((docker.port_mappings ?? []).map((p) => [`${p.container_port}/${p.protocol ?? 'tcp'}`, [{ HostPort: String(p.host_port) }]])),
        Privileged: docker.privileged === true,
        ...(cpus > 0 ? { CpuShares: Math.max(2, Math.round(cpus * 1024)) } : {}),
        ...(mem > 0 ? { Memory: Math.max(mem, 32) * 1024 * 1024, MemorySwap: Math.max(mem, 32) * 1024 * 1024 } : {}),
      },
    };
    let dockerId: string;
    try {
      const created = await this.client.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(this.prefix + config.containerId)}`, body, [201]);
      dockerId = created.Id;
      await this.client.json('POST', `/containers/${dockerId}/start`, undefined, [204, 304]);
    } catch (error) {
      throw new ContainerLaunchError(`Failed to start Docker container for '${config.containerId}': ${error instanceof Error ? error.message : String(error)}`);
    }
    const out = createWriteStream(join(config.sandboxDir, 'stdout'), { flags: 'a' });
    const err = createWriteStream(join(config.sandboxDir, 'stderr'), { flags: 'a' });
    const logs = this.client.followLogs(dockerId, (d) => out.write(d), (d) => err.write(d)).catch(() => undefined);
    this.track(config.containerId, dockerId, config.sandboxDir, mem > 0 ? Math.max(mem, 32) * 1024 * 1024 : undefined, cpus > 0 ? cpus : undefined, logs, [out, err]);
    return { containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: { dockerId } };
  }

  private async ensureImage(image: string, forcePull: boolean): Promise<void> {
    const present = (await this.client.call('GET', `/images/${encodeURIComponent(image)}/json`)).status === 200;
    if (present && !forcePull) return;
    const [name, tag] = image.includes('@') ? [image, undefined] : [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    const pulled = await this.client.call('POST', `/images/create?fromImage=${encodeURIComponent(name)}${tag === undefined ? '' : `&tag=${encodeURIComponent(tag)}`}`, undefined, 120_000);
    // The engine answers 200 and reports a failed pull inside the stream.
    const failure = /"error(?:Detail)?"\s*:\s*(?:\{"message":)?"([^"]*)"/.exec(pulled.body);
    if (pulled.status !== 200 || failure !== null || (await this.client.call('GET', `/images/${encodeURIComponent(image)}/json`)).status !== 200) {
      if (present) return; // a failed forced pull falls back to the local image
      throw new ContainerLaunchError(`Failed to pull image '${image}': ${failure?.[1] ?? `engine answered ${pulled.status}`} (it is not present on this agent)`, 'REASON_CONTAINER_LAUNCH_FAILED');
    }
  }

  private track(id: ContainerId, dockerId: string, sandboxDir: string, memLimitBytes: number | undefined, cpus: number | undefined, logs: Promise<void>, files: WriteStream[]): void {
    const running: Running = {
      id,
      dockerId,
      sandboxDir,
      memLimitBytes,
      cpus,
      killedWith: undefined,
      ended: this.awaitExit(dockerId, () => running.killedWith).then(async (termination) => {
        await Promise.race([logs, new Promise((r) => setTimeout(r, 2000))]);
        for (const file of files) file.end();
        return termination;
      }),
    };
    this.running.set(id, running);
  }

  /** Waits for the engine to report the container's exit (again after a dropped connection), then reads how it ended. */
  private async awaitExit(dockerId: string, killedWith: () => string | undefined): Promise<Termination> {
    for (;;) {
      try {
        await this.client.json('POST', `/containers/${dockerId}/wait`, undefined, [200], undefined);
        break;
      } catch (error) {
        if (error instanceof DockerError && error.status === 404) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    let state: EngineState['State'];
    try {
      state = (await this.client.json<EngineState>('GET', `/containers/${dockerId}/json`)).State;
    } catch {
      state = undefined;
    }
    if (state === undefined) return { message: `Docker container ${dockerId.slice(0, 12)} is gone and its exit status is unknown` };
    const code = state.ExitCode ?? 0;
    if (state.OOMKilled === true) {
      return { ...describeExit(undefined, 'SIGKILL'), reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: 'Memory limit exceeded: the kernel killed the Docker container' };
    }
    const killed = killedWith();
    if (code > 128 && code < 160) return describeExit(undefined, signalName(code - 128));
    if (killed !== undefined && code !== 0) return describeExit(undefined, killed);
    return describeExit(code, undefined);
  }

  wait(containerId: ContainerId): Promise<Termination> {
    const running = this.running.get(containerId);
    if (running === undefined) return Promise.reject(new UnknownContainerError(containerId));
    return running.ended.then(async (termination) => {
      if (this.running.get(containerId) === running) {
        this.running.delete(containerId);
        await this.client.call('DELETE', `/containers/${running.dockerId}?force=1&v=1`).catch(() => undefined);
      }
      return termination;
    });
  }

  async destroy(containerId: ContainerId, gracePeriodMs = 3000): Promise<Termination> {
    const running = this.running.get(containerId);
    if (running === undefined) throw new UnknownContainerError(containerId);
    running.killedWith = 'SIGTERM';
    // `stop` sends SIGTERM and, after `t` seconds, SIGKILL (Mesos's docker stop with the grace period).
    const seconds = Math.max(0, Math.ceil(gracePeriodMs / 1000));
    await this.client.call('POST', `/containers/${running.dockerId}/stop?t=${seconds}`, undefined, gracePeriodMs + 30_000).catch(() => undefined);
    return this.wait(containerId);
  }

  async usage(containerId: ContainerId): Promise<ResourceStatistics> {
    const running = this.running.get(containerId);
    if (running === undefined) throw new UnknownContainerError(containerId);
    type Stats = {
      cpu_stats?: { cpu_usage?: { usage_in_usermode?: number; usage_in_kernelmode?: number }; throttling_data?: { throttled_periods?: number; throttled_time?: number } };
      memory_stats?: { usage?: number; stats?: { rss?: number; total_rss?: number; anon?: number } };
      pids_stats?: { current?: number };
    };
    const stats = await this.client.json<Stats>('GET', `/containers/${running.dockerId}/stats?stream=false`);
    const cpu = stats.cpu_stats;
    const memory = stats.memory_stats;
    const rss = memory?.stats?.total_rss ?? memory?.stats?.rss ?? memory?.stats?.anon;
    return {
      timestamp: Date.now() / 1000,
      ...(cpu?.cpu_usage?.usage_in_usermode === undefined ? {} : { cpus_user_time_secs: cpu.cpu_usage.usage_in_usermode / 1e9 }),
      ...(cpu?.cpu_usage?.usage_in_kernelmode === undefined ? {} : { cpus_system_time_secs: cpu.cpu_usage.usage_in_kernelmode / 1e9 }),
      ...(cpu?.throttling_data?.throttled_periods === undefined ? {} : { cpus_nr_throttled: cpu.throttling_data.throttled_periods }),
      ...(cpu?.throttling_data?.throttled_time === undefined ? {} : { cpus_throttled_time_secs: cpu.throttling_data.throttled_time / 1e9 }),
      ...(rss === undefined ? {} : { mem_rss_bytes: rss }),
      ...(running.memLimitBytes === undefined ? {} : { mem_limit_bytes: running.memLimitBytes }),
      ...(running.cpus === undefined ? {} : { cpus_limit: running.cpus }),
      ...(stats.pids_stats?.current === undefined ? {} : { processes: stats.pids_stats.current }),
    };
  }

  async recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void> {
    for (const checkpoint of checkpoints) {
      if (checkpoint.containerizer !== this.name || this.running.has(checkpoint.containerId)) continue;
      const dockerId = checkpoint.state['dockerId'];
      if (typeof dockerId !== 'string') continue;
      const out = createWriteStream(join(checkpoint.sandboxDir, 'stdout'), { flags: 'a' });
      const err = createWriteStream(join(checkpoint.sandboxDir, 'stderr'), { flags: 'a' });
      // Output written while the agent was away stays in the engine's log (`docker logs`); from now on it is followed again.
      const logs = this.client.followLogs(dockerId, (d) => out.write(d), (d) => err.write(d), Math.floor(Date.now() / 1000)).catch(() => undefined);
      this.track(checkpoint.containerId, dockerId, checkpoint.sandboxDir, undefined, undefined, logs, [out, err]);
    }
    return Promise.resolve();
  }

  containers(): ContainerId[] {
    return [...this.running.keys()] as ContainerId[];
  }
}
