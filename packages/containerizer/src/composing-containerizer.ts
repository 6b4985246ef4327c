import type { ContainerId, ContainerInfo } from '@ts-mesos/protocol';
import { type ContainerCheckpoint, type ContainerConfig, type Containerizer, ContainerLaunchError, type ResourceStatistics, type Termination, UnknownContainerError } from './containerizer.js';

/**
 * Several containerizers behind one (the agent's `--containerizers=mesos,docker`): a launch
 * goes to the first, in the order given, that supports the task's ContainerInfo; every other
 * call to the one that launched (or re-adopted) the container.
 */
export class ComposingContainerizer implements Containerizer {
  readonly name: string;
  private readonly owners = new Map<string, Containerizer>();

  constructor(private readonly members: readonly Containerizer[]) {
    if (members.length === 0) throw new Error('A composing containerizer needs at least one containerizer');
    this.name = members.map((m) => m.name).join(',');
  }

  supports(container: ContainerInfo | undefined): boolean {
    return this.members.some((m) => m.supports(container));
  }

  async launch(config: ContainerConfig): Promise<ContainerCheckpoint> {
    const member = this.members.find((m) => m.supports(config.container));
    if (member === undefined) {
      throw new ContainerLaunchError(`No containerizer here runs a ${config.container?.type ?? 'plain'} container${config.container?.type === 'MESOS' && config.container.mesos?.image !== undefined ? ' with an image' : ''} (containerizers: ${this.name})`);
    }
    this.owners.set(config.containerId, member);
    try {
      return await member.launch(config);
    } catch (error) {
      this.owners.delete(config.containerId);
      throw error;
    }
  }

  private owner(containerId: ContainerId): Containerizer {
    const owner = this.owners.get(containerId) ?? this.members.find((m) => m.containers().includes(containerId));
    if (owner === undefined) throw new UnknownContainerError(containerId);
    return owner;
  }

  async wait(containerId: ContainerId): Promise<Termination> {
    const termination = await this.owner(containerId).wait(containerId);
    this.owners.delete(containerId);
    return termination;
  }

  destroy(containerId: ContainerId, gracePeriodMs?: number): Promise<Termination> {
    return this.owner(containerId).destroy(containerId, gracePeriodMs);
  }

  usage(containerId: ContainerId): Promise<ResourceStatistics> {
    return this.owner(containerId).usage(containerId);
  }

  async recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void> {
    for (const member of this.members) {
      const mine = checkpoints.filter((c) => c.containerizer === member.name);
      await member.recover(mine);
      for (const c of mine) if (member.containers().includes(c.containerId)) this.owners.set(c.containerId, member);
    }
  }

  containers(): ContainerId[] {
    return this.members.flatMap((m) => m.containers());
  }
}
