import { type ContainerConfig, ContainerLaunchError, type Termination } from '@ts-mesos/containerizer';
import type { Clock, Random, Timer } from '@ts-mesos/libprocess';
import { between } from './seed-streams.js';

/** One simulated process tree: it runs for the virtual time its command asks, then exits. */
export interface SimContainer {
  readonly id: string;
  readonly config: ContainerConfig;
  readonly startedMs: number;
  termination: Termination | undefined;
  /** When it ended (virtual ms). */
  endedMs: number | undefined;
  readonly ended: Promise<Termination>;
  end(termination: Termination): void;
  exitTimer: Timer | undefined;
  killTimer: Timer | undefined;
}

/** What a simulated task's command says: `sim-task run_ms=4200 exit=0`. */
export interface SimTaskCommand {
  readonly runMs: number;
  readonly exitCode: number;
}

export function simTaskCommand(runMs: number, exitCode: number): string {
  return `sim-task run_ms=${runMs} exit=${exitCode}`;
}

export function parseSimTaskCommand(command: string): SimTaskCommand {
  const runMs = /run_ms=(\d+)/.exec(command)?.[1];
  const exit = /exit=(\d+)/.exec(command)?.[1];
  return { runMs: runMs === undefined ? 1000 : Number(runMs), exitCode: exit === undefined ? 0 : Number(exit) };
}

export interface SimMachineOptions {
  /** Chance that a launch fails (`ContainerLaunchError`), as an image pull or fork might. */
  readonly launchFailureProbability: number;
  /** A launch takes between 0 and this many virtual ms. */
  readonly maxLaunchDelayMs: number;
}

/** How long an ended container stays on the machine for an agent to re-adopt it (a crashed agent is back within 30 s; a restarted one reads its checkpoints at once). */
const KEEP_ENDED_MS = 600_000;
/** Launches between sweeps of ended containers. */
const SWEEP_EVERY = 500;

/**
 * A simulated host. Its containers outlive the agent process that launched them, as real
 * processes outlive a crashed `mesos-agent`: a restarted agent re-adopts them through a new
 * `SimContainerizer` on the same machine. A reboot loses them all.
 */
export class SimMachine {
  private readonly table = new Map<string, SimContainer>();
  /** Bumped by a reboot: launches in flight from before it never complete. */
  private boot = 0;
  private launches = 0;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: SimMachineOptions,
  ) {}

  get(id: string): SimContainer | undefined {
    return this.table.get(id);
  }

  running(): SimContainer[] {
    return [...this.table.values()].filter((c) => c.termination === undefined);
  }

  /** Starts a container after a seeded launch delay; `done` gets it, or the launch error. */
  launch(config: ContainerConfig, done: (result: SimContainer | ContainerLaunchError) => void): void {
    const boot = this.boot;
    const delayMs = between(this.random, 0, this.options.maxLaunchDelayMs);
    const fails = this.random.next() < this.options.launchFailureProbability;
    this.clock.setTimer(delayMs, () => {
      if (boot !== this.boot) return; // the machine rebooted: the launch never finished
      if (fails) {
        done(new ContainerLaunchError(`Simulated launch failure of container '${config.containerId}' on '${this.name}'`));
        return;
      }
      if (this.table.has(config.containerId)) {
        done(new ContainerLaunchError(`Container '${config.containerId}' already exists on '${this.name}'`));
        return;
      }
      done(this.start(config));
    });
  }

  private start(config: ContainerConfig): SimContainer {
    if (++this.launches % SWEEP_EVERY === 0) this.sweep();
    const { runMs, exitCode } = parseSimTaskCommand(config.command.value ?? '');
    let resolveEnded: (termination: Termination) => void = () => undefined;
    const ended = new Promise<Termination>((resolve) => (resolveEnded = resolve));
    const container: SimContainer = {
      id: config.containerId,
      config,
      startedMs: this.clock.now(),
      termination: undefined,
      endedMs: undefined,
      ended,
      end: (termination) => {
        if (container.termination !== undefined) return;
        container.termination = termination;
        container.endedMs = this.clock.now();
        container.exitTimer?.cancel();
        container.killTimer?.cancel();
        resolveEnded(termination);
      },
      exitTimer: undefined,
      killTimer: undefined,
    };
    container.exitTimer = this.clock.setTimer(runMs, () => container.end({ exitCode, message: `Command exited with status ${exitCode}` }));
    this.table.set(config.containerId, container);
    return container;
  }

  /** Forgets containers that ended long ago, so that a long run's memory stays flat. */
  private sweep(): void {
    const before = this.clock.now() - KEEP_ENDED_MS;
    for (const [id, container] of this.table) if (container.endedMs !== undefined && container.endedMs < before) this.table.delete(id);
  }

  /** SIGTERM now; the task exits within the grace period (seeded), or SIGKILL ends it at the end of it. */
  kill(container: SimContainer, gracePeriodMs: number): void {
    if (container.termination !== undefined || container.killTimer !== undefined) return;
    const obeysSigterm = this.random.next() < 0.8;
    const afterMs = obeysSigterm ? Math.min(gracePeriodMs, between(this.random, 0, 500)) : gracePeriodMs;
    const signal = obeysSigterm ? 'SIGTERM' : 'SIGKILL';
    container.killTimer = this.clock.setTimer(afterMs, () => container.end({ signal, message: `Command terminated with signal ${signal}` }));
  }

  /** The host restarts: every process on it is gone, and nobody is told how it ended. */
  reboot(): number {
    this.boot++;
    const lost = this.running().length;
    for (const container of this.table.values()) {
      container.exitTimer?.cancel();
      container.killTimer?.cancel();
    }
    this.table.clear();
    return lost;
  }
}
