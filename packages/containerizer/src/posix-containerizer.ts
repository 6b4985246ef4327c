import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerId } from '@ts-mesos/protocol';
import {
  type ContainerCheckpoint,
  type ContainerConfig,
  type Containerizer,
  ContainerLaunchError,
  type ResourceStatistics,
  type Termination,
  UnknownContainerError,
} from './containerizer.js';
import { processStartTime, sessionUsage } from './proc-stat.js';
import { describeExit, signalName } from './termination.js';

export interface PosixContainerizerOptions {
  /** A directory this containerizer owns: `<runtimeDir>/<containerId>/status` records each exit status. */
  readonly runtimeDir: string;
  /** How often a re-adopted container (not our child) is checked for exit. */
  readonly pollMs?: number;
}

interface Container {
  readonly id: ContainerId;
  readonly pid: number;
  readonly startTime: string;
  readonly dir: string;
  readonly config: Pick<ContainerConfig, 'resources'> | undefined;
  readonly ended: Promise<Termination>;
  /** The signal destroy sent last, so an exit by that signal reads as killed. */
  killedWith: string | undefined;
  termination: Termination | undefined;
}

/**
 * The wrapper every container runs: `/bin/sh` starts the command as a child, waits, and writes
 * its exit status (`$?`: 128+N for signal N) atomically into the runtime directory, so that
 * an agent restarted after the command ended still learns how it ended. It catches SIGTERM
 * (a trap, unlike an ignore, is reset for the command) so that it outlives the command it
 * reports on. It is a shell, not a node process, because a launch must cost milliseconds.
 */
const WRAPPER = 'trap : TERM INT; "$@"; status=$?; printf %s "$status" > "$TS_MESOS_STATUS.tmp" && mv "$TS_MESOS_STATUS.tmp" "$TS_MESOS_STATUS"; exit $status';

function variables(config: ContainerConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const v of config.command.environment?.variables ?? []) if (v.type !== 'SECRET' && v.value !== undefined) env[v.name] = v.value;
  return Object.assign(env, config.environment);
}

function lookupUser(user: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 4) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}

/**
 * Runs each container as a plain process group in its own session, with no isolation: the
 * simplest containerizer, and Mesos's `posix` isolation. Containers outlive the agent:
 * `recover` re-adopts them from their checkpoints.
 */
export class PosixContainerizer implements Containerizer {
  readonly name = 'posix';
  private readonly running = new Map<string, Container>();
  private readonly pollMs: number;

  constructor(private readonly options: PosixContainerizerOptions) {
    this.pollMs = options.pollMs ?? 500;
    mkdirSync(options.runtimeDir, { recursive: true });
  }

  supports(container: ConfigContainer): boolean {
    return container === undefined || (container.type === 'MESOS' && container.mesos?.image === undefined);
  }

  launch(config: ContainerConfig): Promise<ContainerCheckpoint> {
    if (this.running.has(config.containerId)) return Promise.reject(new ContainerLaunchError(`Container '${config.containerId}' already exists`));
    if (!existsSync(config.sandboxDir)) return Promise.reject(new ContainerLaunchError(`Sandbox '${config.sandboxDir}' of container '${config.containerId}' does not exist`));
    const command = config.command;
    const argv = command.shell === false ? [command.value ?? '', ...(command.arguments ?? []).slice(1)] : ['/bin/sh', '-c', command.value ?? ''];
    if (argv[0] === '') return Promise.reject(new ContainerLaunchError(`Container '${config.containerId}' has no command to run`));
    let ids: { uid: number; gid: number } | undefined;
    if (config.user !== undefined && process.getuid?.() === 0) {
      ids = lookupUser(config.user);
      if (ids === undefined) return Promise.reject(new ContainerLaunchError(`User '${config.user}' does not exist on this agent`));
    }
    const dir = join(this.options.runtimeDir, config.containerId);
    mkdirSync(dir, { recursive: true });
    const stdout = openSync(join(config.sandboxDir, 'stdout'), 'a');
    const stderr = openSync(join(config.sandboxDir, 'stderr'), 'a');
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', WRAPPER, 'ts-mesos-wrapper', ...argv], {
        cwd: config.sandboxDir,
        env: { ...variables(config), TS_MESOS_STATUS: join(dir, 'status') },
        stdio: ['ignore', stdout, stderr],
        detached: true,
        ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      });
      closeSync(stdout);
      closeSync(stderr);
      child.once('error', (error) => {
        rmSync(dir, { recursive: true, force: true });
        reject(new ContainerLaunchError(`Failed to start container '${config.containerId}': ${error.message}`));
      });
      child.once('spawn', () => {
        const pid = child.pid!;
        child.unref();
        const ended = new Promise<Termination>((done) => {
          child.once('exit', (code, signal) => done(this.termination(container, code, signal)));
        });
        const container: Container = { id: config.containerId, pid, startTime: processStartTime(pid) ?? '', dir, config, ended, killedWith: undefined, termination: undefined };
        this.running.set(config.containerId, container);
        resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: { pid, startTime: container.startTime } });
      });
    });
  }

  /** How a container ended: the status file first (it carries the command's own status), then the wrapper's exit. */
  private termination(container: Container, code: number | null, signal: NodeJS.Signals | null): Termination {
    if (container.termination !== undefined) return container.termination;
    let status: number | undefined;
    try {
      status = Number(readFileSync(join(container.dir, 'status'), 'utf8'));
    } catch {
      status = undefined;
    }
    let termination: Termination;
    if (status !== undefined && Number.isInteger(status)) {
      termination = status > 128 && status < 160 ? describeExit(undefined, signalName(status - 128)) : describeExit(status, undefined);
    } else if (signal !== null) {
      termination = describeExit(undefined, signal);
    } else if (code !== null) {
      termination = describeExit(code, undefined);
    } else {
      termination = { message: `Container '${container.id}' ended and its exit status is unknown (its wrapper was killed${container.killedWith === undefined ? '' : ` by ${container.killedWith}`})`, ...(container.killedWith === undefined ? {} : { signal: container.killedWith }) };
    }
    container.termination = termination;
    return termination;
  }

  wait(containerId: ContainerId): Promise<Termination> {
    const container = this.running.get(containerId);
    if (container === undefined) return Promise.reject(new UnknownContainerError(containerId));
    return container.ended.then((termination) => {
      this.cleanup(container);
      return termination;
    });
  }

  private cleanup(container: Container): void {
    if (this.running.get(container.id) !== container) return;
    this.running.delete(container.id);
    rmSync(container.dir, { recursive: true, force: true });
  }

  async destroy(containerId: ContainerId, gracePeriodMs = 3000): Promise<Termination> {
    const container = this.running.get(containerId);
    if (container === undefined) throw new UnknownContainerError(containerId);
    if (container.termination !== undefined) return this.wait(containerId);
    const signalGroup = (signal: NodeJS.Signals): void => {
      container.killedWith = signal;
      try {
        process.kill(-container.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    if (gracePeriodMs <= 0) signalGroup('SIGKILL');
    else timer = setTimeout(() => signalGroup('SIGKILL'), gracePeriodMs);
    try {
      await container.ended;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    // The wrapper may be gone while a child that ignored SIGTERM lingers: make sure of the group.
    try {
      process.kill(-container.pid, 'SIGKILL');
    } catch {
      // Nothing left: the usual case.
    }
    return this.wait(containerId);
  }

  usage(containerId: ContainerId): Promise<ResourceStatistics> {
    const container = this.running.get(containerId);
    if (container === undefined) return Promise.reject(new UnknownContainerError(containerId));
    const used = sessionUsage(container.pid);
    const resources = container.config?.resources;
    const cpus = resources?.cpus() ?? 0;
    const mem = resources?.mem() ?? 0;
    return Promise.resolve({
      timestamp: Date.now() / 1000,
      ...used,
      ...(cpus > 0 ? { cpus_limit: cpus } : {}),
      ...(mem > 0 ? { mem_limit_bytes: mem * 1024 * 1024 } : {}),
    });
  }

  recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void> {
    for (const checkpoint of checkpoints) {
      if (checkpoint.containerizer !== this.name || this.running.has(checkpoint.containerId)) continue;
      const pid = Number(checkpoint.state['pid']);
      const recorded = checkpoint.state['startTime'];
      const startTime = typeof recorded === 'string' ? recorded : '';
      const dir = join(this.options.runtimeDir, checkpoint.containerId);
      const alive = (): boolean => Number.isInteger(pid) && pid > 0 && processStartTime(pid) === startTime;
      let finish: (t: Termination) => void = () => undefined;
      const ended = new Promise<Termination>((done) => (finish = done));
      const container: Container = { id: checkpoint.containerId, pid, startTime, dir, config: undefined, ended, killedWith: undefined, termination: undefined };
      this.running.set(checkpoint.containerId, container);
      // Not our child: no exit event will come, so watch the pid (and its start time, against reuse).
      const poll = (): void => {
        if (alive()) {
          setTimeout(poll, this.pollMs).unref();
          return;
        }
        finish(this.termination(container, null, null));
      };
      poll();
    }
    return Promise.resolve();
  }

  containers(): ContainerId[] {
    return [...this.running.keys()] as ContainerId[];
  }
}

type ConfigContainer = ContainerConfig['container'];
