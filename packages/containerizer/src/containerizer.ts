import type { CommandInfo, ContainerInfo, ContainerId, Resources, TaskReason } from '@ts-mesos/protocol';

/**
 * What the agent asks a containerizer to run: one command (a task's, or an executor's) in
 * its sandbox, with its resources. The agent creates `sandboxDir` before `launch`.
 */
export interface ContainerConfig {
  readonly containerId: ContainerId;
  /** The directory the process runs in; `stdout` and `stderr` files are written here. */
  readonly sandboxDir: string;
  readonly command: CommandInfo;
  /** Set on top of the command's own `environment` (the agent adds `MESOS_*` variables). */
  readonly environment: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** The task's or executor's ContainerInfo; undefined for a plain command. */
  readonly container?: ContainerInfo;
  /** Run as this user (root only); undefined runs as the agent's user. */
  readonly user?: string;
  /** Free-form labels kept with the container (Docker uses them to find its containers again). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Once the agent has been gone this long and no restarted agent has re-adopted the container,
   * it is ended (SIGTERM, then SIGKILL): the agent sets it to `--recovery_timeout` for command
   * tasks, whose executor it is itself, as Mesos's command executor ends its task. Undefined:
   * the container runs on until an agent comes back. Containerizers that cannot may ignore it.
   */
  readonly orphanTimeoutMs?: number;
}

/** How a container ended. */
export interface Termination {
  /** The command's exit code when it exited; undefined when a signal ended it. */
  readonly exitCode?: number;
  /** The signal that ended it (`SIGKILL`), when one did. */
  readonly signal?: string;
  /** Set when the containerizer (not the command) ended it: a limit was hit, or launch failed. */
  readonly reason?: TaskReason;
  /** A sentence for the task's status message: `Command exited with status 1`. */
  readonly message: string;
}

/** Resource usage of one container, with Mesos's `ResourceStatistics` field names. */
export interface ResourceStatistics {
  readonly timestamp: number;
  readonly cpus_user_time_secs?: number;
  readonly cpus_system_time_secs?: number;
  readonly cpus_limit?: number;
  readonly cpus_nr_throttled?: number;
  readonly cpus_throttled_time_secs?: number;
  readonly mem_rss_bytes?: number;
  readonly mem_limit_bytes?: number;
  readonly processes?: number;
  readonly threads?: number;
}

/** What a containerizer checkpoints about a running container so a restarted agent can re-adopt it. */
export interface ContainerCheckpoint {
  readonly containerId: ContainerId;
  readonly sandboxDir: string;
  /** Which containerizer launched it (`posix`, `mesos`, `docker`). */
  readonly containerizer: string;
  /** Containerizer-specific: the pid, a Docker container id, cgroup paths. JSON-serialisable. */
  readonly state: Readonly<Record<string, unknown>>;
}

export class ContainerLaunchError extends Error {
  readonly _tag = 'ContainerLaunchError';
  constructor(
    message: string,
    readonly reason: TaskReason = 'REASON_CONTAINER_LAUNCH_FAILED',
  ) {
    super(message);
  }
}

export class UnknownContainerError extends Error {
  readonly _tag = 'UnknownContainerError';
  constructor(readonly containerId: ContainerId) {
    super(`Unknown container '${containerId}'`);
  }
}

/**
 * The plugin contract between the agent and a way of running things. Containers outlive the
 * agent process: a restarted agent calls `recover` with the checkpoints it kept, and `wait`
 * then reports how each container ended, even one that ended while the agent was down.
 */
export interface Containerizer {
  /** `posix`, `mesos` or `docker`: the name `--containerizers` uses. */
  readonly name: string;
  /** Whether this containerizer can run a task with this ContainerInfo (undefined: a plain command). */
  supports(container: ContainerInfo | undefined): boolean;
  /** Starts the container; resolves once its process runs, with what to checkpoint. Rejects with `ContainerLaunchError`. */
  launch(config: ContainerConfig): Promise<ContainerCheckpoint>;
  /** Resolves once the container has ended (at most once per container; later calls get the same answer). */
  wait(containerId: ContainerId): Promise<Termination>;
  /**
   * Stops the container: SIGTERM to its whole process group, SIGKILL after `gracePeriodMs`
   * (default 3 s, as Mesos's kill policy), then cleans up. Resolves with its termination.
   */
  destroy(containerId: ContainerId, gracePeriodMs?: number): Promise<Termination>;
  usage(containerId: ContainerId): Promise<ResourceStatistics>;
  /** Re-adopts containers a previous agent process launched; those whose process is gone are reported ended by `wait`. */
  recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void>;
  /** The containers it runs now. */
  containers(): ContainerId[];
}
