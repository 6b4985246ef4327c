import {
  type ContainerCheckpoint,
  type ContainerConfig,
  type Containerizer,
  ContainerLaunchError,
  type ResourceStatistics,
  type Termination,
  UnknownContainerError,
} from '@ts-mesos/containerizer';
import type { Clock } from '@ts-mesos/libprocess';
import type { ContainerId, ContainerInfo } from '@ts-mesos/protocol';
import type { SimMachine } from './sim-machine.js';

/**
 * The `Containerizer` port on a `SimMachine`: tasks "run" for the virtual time their command
 * names and exit with its status; destroy sends SIGTERM, then SIGKILL after the grace period.
 * One instance per agent process; the machine (and its containers) outlives it.
 */
export class SimContainerizer implements Containerizer {
  readonly name = 'sim';
  /** Containers this agent process launched or re-adopted. */
  private readonly known = new Set<string>();

  constructor(
    private readonly machine: SimMachine,
    private readonly clock: Clock,
  ) {}

  supports(container: ContainerInfo | undefined): boolean {
    return container === undefined;
  }

  launch(config: ContainerConfig): Promise<ContainerCheckpoint> {
    return new Promise((resolve, reject) => {
      this.machine.launch(config, (result) => {
        if (result instanceof ContainerLaunchError) {
          reject(result);
          return;
        }
        this.known.add(result.id);
        resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: { machine: this.machine.name } });
      });
    });
  }

  wait(containerId: ContainerId): Promise<Termination> {
    const container = this.known.has(containerId) ? this.machine.get(containerId) : undefined;
    if (container === undefined) return Promise.reject(new UnknownContainerError(containerId));
    return container.ended;
  }

  destroy(containerId: ContainerId, gracePeriodMs = 3000): Promise<Termination> {
    const container = this.known.has(containerId) ? this.machine.get(containerId) : undefined;
    if (container === undefined) return Promise.reject(new UnknownContainerError(containerId));
    this.machine.kill(container, gracePeriodMs);
    return container.ended;
  }

  usage(containerId: ContainerId): Promise<ResourceStatistics> {
    const container = this.known.has(containerId) ? this.machine.get(containerId) : undefined;
    if (container === undefined || container.termination !== undefined) return Promise.reject(new UnknownContainerError(containerId));
    return Promise.resolve({
      timestamp: this.clock.now() / 1000,
      cpus_limit: container.config.resources.scalar('cpus'),
      mem_limit_bytes: container.config.resources.scalar('mem') * 1024 * 1024,
      processes: 1,
      threads: 1,
    });
  }

  /**
   * Re-adopts the checkpointed containers still on the machine (running, or ended while no
   * agent watched: `wait` then reports how). Containers the checkpoints do not name are orphans
   * of a launch the previous agent never recorded: they are killed, as Mesos's agent does.
   */
  recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void> {
    const named = new Set<string>();
    for (const checkpoint of checkpoints) {
      if (checkpoint.containerizer !== this.name) continue;
      named.add(checkpoint.containerId);
      if (this.machine.get(checkpoint.containerId) !== undefined) this.known.add(checkpoint.containerId);
    }
    for (const orphan of this.machine.running()) if (!named.has(orphan.id) && !this.known.has(orphan.id)) this.machine.kill(orphan, 0);
    return Promise.resolve();
  }

  containers(): ContainerId[] {
    return [...this.known].filter((id) => this.machine.get(id) !== undefined) as ContainerId[];
  }
}
