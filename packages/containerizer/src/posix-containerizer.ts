import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
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
import { ExitLog } from './exit-log.js';
import { type ExitStatus, Launcher, type LauncherKind, PERL_LAUNCHER, findLauncher } from './launcher.js';
import { PYTHON_LAUNCHER } from './python-launcher.js';

export interface PosixContainerizerOptions {
  /** A directory this containerizer owns: exit records of its containers are kept here. */
  readonly runtimeDir: string;
  /** How often a container that is not watched by a launcher (re-adopted) is checked for exit. */
  readonly pollMs?: number;
  /**
   * `python` or `perl`: a long-lived launcher process starts the containers, which spares the
   * agent's event loop; `spawn`: the agent spawns each container itself. The default is the
   * python launcher where python3 (3.8 or later) is installed, else the perl one, else `spawn`;
   * with isolators, perl first.
   */
  readonly launcher?: LauncherKind | 'spawn';
  /** The name `--containerizers` and checkpoints use (default `posix`; `mesos` with Linux isolators). */
  readonly name?: string;
  /** Isolators applied to every container, in order (they need a launcher process). */
  readonly isolators?: readonly Isolator[];
}

/** What an isolator does to a container about to start. */
export interface Prepared {
  /** Files its first process writes its pid into before it execs (`cgroup.procs`). */
  readonly join?: readonly string[];
  /** Wraps the command (`unshare ... -- argv`). */
  readonly wrap?: (argv: string[]) => string[];
  /** Checkpointed with the container, handed back to `recover`. */
  readonly state?: Readonly<Record<string, unknown>>;
}

/**
 * Isolation added to the process a container runs (Mesos's isolators): cgroups, namespaces.
 * `prepare` runs before the first process starts; `ended` may explain how it ended (a limit
 * hit); `cleanup` kills whatever is left and releases what `prepare` took.
 */
export interface Isolator {
  readonly name: string;
  prepare(config: ContainerConfig): Prepared;
  ended?(containerId: string, termination: Termination): Termination;
  cleanup(containerId: string): Promise<void>;
  usage?(containerId: string): Partial<ResourceStatistics>;
  recover?(containerId: string, state: Readonly<Record<string, unknown>>): void;
}

interface Container {
  readonly id: ContainerId;
  readonly pid: number;
  readonly startTime: string;
  readonly config: Pick<ContainerConfig, 'resources'> | undefined;
  readonly ended: Promise<Termination>;
  readonly finish: (termination: Termination) => void;
  /** `ended`, explained by the isolators and cleaned up after: what `wait` answers (made once). */
  final: Promise<Termination> | undefined;
  /** Whether a launcher or a child-process handle will say when it ends; otherwise it is polled. */
  watched: boolean;
  /** The signal destroy sent last, so an exit by that signal reads as killed. */
  killedWith: string | undefined;
  termination: Termination | undefined;
}

/**
 * The wrapper of the `spawn` fallback: `/bin/sh` starts the command as a child, waits, and
 * appends its exit status (`$?`: 128+N for signal N) to `exits-sh.log`, so that an agent
 * restarted after the command ended still learns how it ended. It catches SIGTERM (a trap,
 * unlike an ignore, is reset for the command) so that it outlives the command it reports on.
 */
const WRAPPER =
  'trap : TERM INT; "$@"; s=$?; if [ $s -gt 128 ] && [ $s -lt 160 ]; then r="- $((s - 128))"; else r="$s -"; fi; printf "%s %s\\n" "$TS_MESOS_CONTAINER" "$r" >> "$TS_MESOS_EXITS"; exit $s';

/** A status whose code is 129..159 is how a shell reports death by signal N-128. */
function fromShellStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus | undefined {
  if (signal !== null) return { signal: constants.signals[signal] };
  if (code === null) return undefined;
  return code > 128 && code < 160 ? { signal: code - 128 } : { code };
}

function lookupUser(user: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields.length >= 4) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}

/** How many polls a container whose process is gone waits for its exit record before it is declared unknown. */
const RECORD_WAIT_POLLS = 10;

/**
 * Runs each container as a plain process group in its own session, with no isolation: the
 * simplest containerizer, and Mesos's `posix` isolation. Containers outlive the agent:
 * `recover` re-adopts them from their checkpoints.
 */
export class PosixContainerizer implements Containerizer {
  readonly name: string;
  private readonly isolators: readonly Isolator[];
  private readonly running = new Map<string, Container>();
  private readonly pollMs: number;
  private readonly launcher: Launcher | undefined;
  private readonly exitLog: ExitLog;
  private baseEnvironment: Record<string, string> | undefined;

  constructor(private readonly options: PosixContainerizerOptions) {
    this.pollMs = options.pollMs ?? 500;
    this.name = options.name ?? 'posix';
    this.isolators = options.isolators ?? [];
    mkdirSync(options.runtimeDir, { recursive: true });
    this.exitLog = new ExitLog(options.runtimeDir);
    // Isolated containers join their cgroups before they exec, which takes a fork: perl's is the cheaper.
    const preferred: LauncherKind[] = this.isolators.length > 0 ? ['perl', 'python'] : ['python', 'perl'];
    const program = options.launcher === 'spawn' ? undefined : options.launcher === undefined ? (findLauncher(preferred[0]!) ?? findLauncher(preferred[1]!)) : findLauncher(options.launcher);
    if (options.launcher === 'perl' && program === undefined) throw new Error('The perl launcher was asked for, and perl is not installed');
    if (options.launcher === 'python' && program === undefined) throw new Error('The python launcher was asked for, and python3 (3.8 or later) is not installed');
    if (program !== undefined) {
      this.launcher = new Launcher(
        program,
        options.runtimeDir,
        (id, pid, status) => this.exited(id, pid, status),
        () => this.launcherLost(),
      );
    }
  }

  /** `python`, `perl` or `spawn`: how containers are started. */
  get launchMode(): LauncherKind | 'spawn' {
    return this.launcher?.kind ?? 'spawn';
  }

  /** The launcher's pid while one runs. */
  get launcherPid(): number | undefined {
    return this.launcher?.pid;
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
    const environment: Record<string, string> = {};
    for (const v of command.environment?.variables ?? []) if (v.type !== 'SECRET' && v.value !== undefined) environment[v.name] = v.value;
    Object.assign(environment, config.environment);
    for (const name of Object.keys(environment)) {
      if (name === '' || name.includes('=') || name.includes('\0')) return Promise.reject(new ContainerLaunchError(`Container '${config.containerId}' has an invalid environment variable name '${name}'`));
    }
    if (this.isolators.length === 0) {
      if (this.launcher !== undefined) return this.launchWithLauncher(this.launcher, config, argv, environment, ids, [], {});
      return this.spawnDirectly(config, argv, environment, ids);
    }
    if (this.launcher === undefined) return Promise.reject(new ContainerLaunchError(`Isolation (${this.isolators.map((i) => i.name).join(', ')}) needs a launcher process, and neither python3 nor perl is installed`));
    let wrapped = argv;
    const join: string[] = [];
    const state: Record<string, unknown> = {};
    try {
      for (const isolator of this.isolators) {
        const prepared = isolator.prepare(config);
        if (prepared.wrap !== undefined) wrapped = prepared.wrap(wrapped);
        join.push(...(prepared.join ?? []));
        if (prepared.state !== undefined) state[isolator.name] = prepared.state;
      }
    } catch (error) {
      return this.releaseIsolation(config.containerId).then(() => {
        throw new ContainerLaunchError(`Failed to isolate container '${config.containerId}': ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    return this.launchWithLauncher(this.launcher, config, wrapped, environment, ids, join, state).catch(async (error: unknown) => {
      await this.releaseIsolation(config.containerId);
      throw error;
    });
  }

  private async releaseIsolation(containerId: string): Promise<void> {
    for (const isolator of this.isolators) await isolator.cleanup(containerId).catch(() => undefined);
  }

  private async launchWithLauncher(launcher: Launcher, config: ContainerConfig, argv: string[], environment: Record<string, string>, ids: { uid: number; gid: number } | undefined, join: readonly string[], isolation: Record<string, unknown>): Promise<ContainerCheckpoint> {
    let started: { pid: number; startTime: string };
    try {
      // Tracked as the launcher's `start` is read: its `exit` may follow in the same read.
      const orphan = config.orphanTimeoutMs === undefined ? {} : { orphanTimeoutMs: config.orphanTimeoutMs };
      started = await launcher.launch({ id: config.containerId, sandboxDir: config.sandboxDir, argv, environment, join, ...orphan, ...(ids === undefined ? {} : ids) }, (pid, startTime) => {
        this.track(config.containerId, pid, startTime, config, true);
      });
    } catch (error) {
      throw new ContainerLaunchError(`Failed to start container '${config.containerId}': ${(error as Error).message}`);
    }
    return { containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: { pid: started.pid, startTime: started.startTime, ...(Object.keys(isolation).length === 0 ? {} : { isolation }) } };
  }

  private spawnDirectly(config: ContainerConfig, argv: string[], environment: Record<string, string>, ids: { uid: number; gid: number } | undefined): Promise<ContainerCheckpoint> {
    if (this.baseEnvironment === undefined) {
      this.baseEnvironment = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) this.baseEnvironment[k] = v;
    }
    const stdout = openSync(join(config.sandboxDir, 'stdout'), 'a');
    const stderr = openSync(join(config.sandboxDir, 'stderr'), 'a');
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', WRAPPER, 'ts-mesos-wrapper', ...argv], {
        cwd: config.sandboxDir,
        env: { ...this.baseEnvironment, ...environment, TS_MESOS_CONTAINER: Buffer.from(config.containerId).toString('hex'), TS_MESOS_EXITS: join(this.options.runtimeDir, 'exits-sh.log') },
        stdio: ['ignore', stdout, stderr],
        detached: true,
        ...(ids === undefined ? {} : { uid: ids.uid, gid: ids.gid }),
      });
      closeSync(stdout);
      closeSync(stderr);
      child.once('error', (error) => reject(new ContainerLaunchError(`Failed to start container '${config.containerId}': ${error.message}`)));
      child.once('spawn', () => {
        const pid = child.pid!;
        child.unref();
        const container = this.track(config.containerId, pid, processStartTime(pid) ?? '', config, true);
        child.once('exit', (code, signal) => this.end(container, fromShellStatus(code, signal)));
        resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: { pid, startTime: container.startTime } });
      });
    });
  }

  private track(id: ContainerId, pid: number, startTime: string, config: Container['config'], watched: boolean): Container {
    let finish: (t: Termination) => void = () => undefined;
    const ended = new Promise<Termination>((done) => (finish = done));
    const container: Container = { id, pid, startTime, config, ended, finish, final: undefined, watched, killedWith: undefined, termination: undefined };
    this.running.set(id, container);
    return container;
  }

  /** Records how a container ended (once) and wakes its waiters. */
  private end(container: Container, status: ExitStatus | undefined): void {
    if (container.termination !== undefined) return;
    let termination: Termination;
    if (status?.signal !== undefined) termination = describeExit(undefined, signalName(status.signal));
    else if (status?.code !== undefined) termination = describeExit(status.code, undefined);
    else termination = { message: `Container '${container.id}' ended and its exit status is unknown${container.killedWith === undefined ? '' : ` (it was sent ${container.killedWith})`}`, ...(container.killedWith === undefined ? {} : { signal: container.killedWith }) };
    container.termination = termination;
    container.finish(termination);
  }

  private exited(id: string, pid: number, status: ExitStatus): void {
    const container = this.running.get(id);
    if (container !== undefined && container.pid === pid) this.end(container, status);
  }

  /** The launcher died: its containers run on (or have ended unreported); watch them by polling. */
  private launcherLost(): void {
    for (const container of this.running.values()) {
      if (container.termination === undefined && container.watched && this.launcher !== undefined) {
        container.watched = false;
        this.poll(container);
      }
    }
  }

  /** Polls a container nobody reports on: its pid (with start time, against reuse), then its exit record. */
  private poll(container: Container, waited = 0): void {
    if (container.termination !== undefined) return;
    const alive = Number.isInteger(container.pid) && container.pid > 0 && processStartTime(container.pid) === container.startTime;
    if (!alive) {
      const status = this.exitLog.lookup(container.id);
      // The record is appended just after the process is reaped: give it a moment.
      if (status !== undefined || waited >= RECORD_WAIT_POLLS) {
        this.end(container, status);
        return;
      }
      setTimeout(() => this.poll(container, waited + 1), Math.min(this.pollMs, 50)).unref();
      return;
    }
    setTimeout(() => this.poll(container), this.pollMs).unref();
  }

  wait(containerId: ContainerId): Promise<Termination> {
    const container = this.running.get(containerId);
    if (container === undefined) return Promise.reject(new UnknownContainerError(containerId));
    container.final ??= container.ended.then(async (ended) => {
      let termination = ended;
      for (const isolator of this.isolators) termination = isolator.ended?.(container.id, termination) ?? termination;
      await this.releaseIsolation(container.id);
      return termination;
    });
    return container.final.then((termination) => {
      this.cleanup(container);
      return termination;
    });
  }

  private cleanup(container: Container): void {
    if (this.running.get(container.id) !== container) return;
    this.running.delete(container.id);
    if (this.running.size === 0) this.pruneLogs();
  }

  /** Drops the exit logs nobody needs: those of launchers that are gone, once their containers were all waited for. */
  private pruneLogs(): void {
    const spawnMode = this.launcher === undefined;
    this.exitLog.prune((name) => spawnMode && name.startsWith('exits-sh.log') && statSize(join(this.options.runtimeDir, name)) < 1024 * 1024);
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
    // The leader may be gone while a child that ignored SIGTERM lingers: make sure of the group.
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
    let used: Partial<ResourceStatistics> = sessionUsage(container.pid);
    for (const isolator of this.isolators) used = { ...used, ...isolator.usage?.(containerId) };
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
      const recorded = checkpoint.state['startTime'];
      // Not our child: no exit event will come, so watch the pid.
      const container = this.track(checkpoint.containerId, Number(checkpoint.state['pid']), typeof recorded === 'string' ? recorded : '', undefined, false);
      const isolation = (checkpoint.state['isolation'] ?? {}) as Record<string, Readonly<Record<string, unknown>>>;
      for (const isolator of this.isolators) {
        const state = isolation[isolator.name];
        if (state !== undefined) isolator.recover?.(checkpoint.containerId, state);
      }
      this.poll(container);
    }
    // The launchers of the agent that was here wait for a restarted agent before they end their
    // containers (`recoveryTimeoutMs`): this is it.
    for (const pid of this.exitLog.launchers()) {
      if (pid === this.launcher?.pid || !isLauncherOf(pid, this.options.runtimeDir)) continue;
      try {
        process.kill(pid, 'SIGUSR1');
      } catch {
        // Gone meanwhile.
      }
    }
    return Promise.resolve();
  }

  containers(): ContainerId[] {
    return [...this.running.keys()] as ContainerId[];
  }

  /** Lets the launcher exit once its containers have ended (they keep running). */
  close(): void {
    this.launcher?.close();
  }
}

/** Whether `pid` is a launcher serving `runtimeDir` (and not an unrelated process that reused the pid). */
function isLauncherOf(pid: number, runtimeDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (argv.includes(PERL_LAUNCHER) || argv.includes(PYTHON_LAUNCHER)) && argv.includes(runtimeDir);
  } catch {
    return false;
  }
}

function statSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

type ConfigContainer = ContainerConfig['container'];
