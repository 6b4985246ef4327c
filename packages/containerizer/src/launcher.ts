import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import type { Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { PYTHON_LAUNCHER } from './python-launcher.js';

/**
 * The launcher: one long-lived perl (or python, see python-launcher.ts) process per containerizer
 * that starts every container. Starting a process from the agent itself costs tens of
 * milliseconds of the agent's event loop (node copies its whole address space); a fork of a small
 * perl process costs about one. Perl because `perl-base` is part of every Debian and Ubuntu
 * system.
 *
 * Protocol, one line per message, every field hex-encoded (so any byte may appear in a field):
 *   agent -> launcher  `launch ID SANDBOX UID GID JOIN ORPHAN ARGC ARGV... NAME=VALUE...`
 * (ORPHAN: seconds the container may outlive the agent unless a restarted agent re-adopts it;
 * empty: for ever)
 * (JOIN: newline-separated files the container's first process writes its pid into before it
 * execs, such as its cgroups' `cgroup.procs`; its `start` is answered once it has, so that a
 * container reported started is in its cgroups, as Mesos's launcher isolates before it reports)
 *   launcher -> agent  `start ID PID STARTTIME` | `exit ID PID CODE|- SIGNAL|-` | `error ID MESSAGE`
 * (only the ID and MESSAGE fields are hex in the launcher's answers).
 *
 * Each container is a session leader with stdin from /dev/null and stdout/stderr appended to
 * the sandbox's files; its environment is the launcher's (the agent's, when it started) with
 * the given variables on top. Every exit is also appended to `RUNTIME_DIR/exits-<launcher
 * pid>.log` as `ID CODE|- SIGNAL|-` (ID hex), so an agent restarted after a container ended
 * still learns how. When the agent goes away (stdin closes) the launcher stays until its last
 * container has ended, to record it; it ends those launched with ORPHAN (SIGTERM, SIGKILL 3 s
 * later) once that long has passed and no restarted agent has re-adopted them — a restarted
 * agent says so with SIGUSR1 — as Mesos's command executor ends its task when its agent does
 * not come back within `--recovery_timeout`.
 */
export const PERL_LAUNCHER = String.raw`
use strict; use warnings; use POSIX ();
my $dir = $ARGV[0];
my ($orphaned, $adopted) = (0, 0);
my (%orphan_s, %termed);
$SIG{USR1} = sub { $adopted = 1 };
my $max_log = 4 * 1024 * 1024;
$SIG{PIPE} = 'IGNORE';
$SIG{CHLD} = sub {};
my %running; my $open = 1; my $buf = '';
select((select(STDOUT), $| = 1)[0]);
my $log_path = "$dir/exits-$$.log";
my $log;
sub open_log { open($log, '>>', $log_path) or die "ts-mesos launcher: $log_path: $!\n"; select((select($log), $| = 1)[0]) }
open_log();
sub hex_of { unpack('H*', $_[0]) }
sub out { print STDOUT join(' ', @_), "\n" }
sub start_time {
  open(my $f, '<', "/proc/$_[0]/stat") or return '';
  my $s = <$f>; close $f; $s =~ s/^.*\) //s; my @f = split(/ /, $s); return $f[19] // '';
}
sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $st = $?; delete $orphan_s{$pid}; delete $termed{$pid};
    my $c = delete $running{$pid} or next;
    my $code = ($st & 127) ? '-' : ($st >> 8);
    my $sig = ($st & 127) ? ($st & 127) : '-';
    print $log hex_of($c), " $code $sig\n";
    out('exit', hex_of($c), $pid, $code, $sig);
  }
  if ($open && tell($log) > $max_log) { close($log); rename($log_path, "$log_path.old"); open_log() }
}
sub launch {
  my @f = @_;
  my ($id, $sandbox, $uid, $gid, $join, $orphan, $argc) = splice(@f, 0, 7);
  my @argv = splice(@f, 0, $argc);
  my ($o, $e);
  if (!open($o, '>>', "$sandbox/stdout") || !open($e, '>>', "$sandbox/stderr")) { out('error', hex_of($id), hex_of("cannot open the sandbox's stdout and stderr: $!")); return }
  my ($jr, $jw);
  if ($join ne '' && !pipe($jr, $jw)) { out('error', hex_of($id), hex_of("pipe failed: $!")); return }
  my $pid = fork();
  if (!defined $pid) { out('error', hex_of($id), hex_of("fork failed: $!")); return }
  if ($pid == 0) {
    close($jr) if $jr;
    $SIG{PIPE} = 'DEFAULT'; $SIG{CHLD} = 'DEFAULT';
    POSIX::setsid();
    open(STDERR, '>&', $e) or POSIX::_exit(126);
    my $fail = sub { print STDERR "ts-mesos launcher: $_[0]\n"; POSIX::_exit(126) };
    open(STDOUT, '>&', $o) or $fail->("stdout: $!");
    open(STDIN, '<', '/dev/null') or $fail->("/dev/null: $!");
    for my $file (grep { $_ ne '' } split(/\n/, $join)) {
      open(my $j, '>', $file) or $fail->("cannot join $file: $!");
      print $j $$;
      close($j) or $fail->("cannot join $file: $!");
    }
    close($jw) if $jw;
    chdir($sandbox) or $fail->("cannot enter $sandbox: $!");
    for (@f) { my ($k, $v) = split(/=/, $_, 2); $ENV{$k} = $v }
    if ($gid ne '') { $) = "$gid $gid"; POSIX::setgid($gid) or $fail->("setgid $gid: $!") }
    if ($uid ne '') { POSIX::setuid($uid) or $fail->("setuid $uid: $!") }
    { no warnings 'exec'; exec { $argv[0] } @argv; }
    print STDERR "Failed to execute '$argv[0]': $!\n"; POSIX::_exit(127);
  }
  close($o); close($e);
  if ($jw) {
    # Started means joined: the child closes its end once in its cgroups (or dies trying).
    close($jw);
    while (1) { my $n = sysread($jr, my $x, 1); last if defined $n || !$!{EINTR} }
    close($jr);
  }
  $running{$pid} = $id;
  $orphan_s{$pid} = $orphan if $orphan ne '';
  out('start', hex_of($id), $pid, start_time($pid));
}
my $rin = ''; vec($rin, fileno(STDIN), 1) = 1;
sub orphan { $open = 0; $orphaned = time() }
while (1) {
  reap();
  last if !$open && !%running;
  if (!$open && !$adopted) {
    my $waited = time() - $orphaned; # whole seconds: more than N of them is at least N seconds
    for my $pid (keys %orphan_s) {
      my $t = $termed{$pid} // 0;
      if ($t == 0 && $waited > $orphan_s{$pid}) { kill('TERM', -$pid); $termed{$pid} = 1 }
      elsif ($t == 1 && $waited > $orphan_s{$pid} + 3) { kill('KILL', -$pid); $termed{$pid} = 2 }
    }
  }
  my $n = select(my $rout = ($open ? $rin : undef), undef, undef, $open ? 10 : 0.5);
  next unless $n && $n > 0;
  my $got = sysread(STDIN, $buf, 65536, length $buf);
  if (!defined $got) { next if $!{EINTR} || $!{EAGAIN}; orphan(); next }
  if ($got == 0) { orphan(); next }
  while ((my $i = index($buf, "\n")) >= 0) {
    my $line = substr($buf, 0, $i); substr($buf, 0, $i + 1) = '';
    my @f = map { pack('H*', $_) } split(/ /, $line, -1);
    my $op = shift(@f) // '';
    if ($op eq 'launch') { launch(@f) } else { out('error', '', hex_of("unknown request '$op'")) }
  }
}
`;

/** How a launched process ended: exactly one of the two is set. */
export interface ExitStatus {
  readonly code?: number;
  readonly signal?: number;
}

export interface LaunchRequest {
  readonly id: string;
  readonly sandboxDir: string;
  readonly argv: readonly string[];
  /** Set on top of the launcher's environment. */
  readonly environment: Readonly<Record<string, string>>;
  readonly uid?: number;
  readonly gid?: number;
  /** Files the first process writes its pid into before it execs (its cgroups' `cgroup.procs`). */
  readonly join?: readonly string[];
  /** How long it may outlive the agent unless a restarted agent re-adopts it (see `ContainerConfig.orphanTimeoutMs`). */
  readonly orphanTimeoutMs?: number;
}

const hex = (value: string): string => Buffer.from(value, 'utf8').toString('hex');
const unhex = (value: string): string => Buffer.from(value, 'hex').toString('utf8');

/** A launcher program: `perl` (always there on Debian and Ubuntu) or `python` (faster; see python-launcher.ts). */
export type LauncherKind = 'perl' | 'python';

/** The interpreter and script of a launcher kind. */
export interface LauncherProgram {
  readonly kind: LauncherKind;
  readonly interpreter: string;
  readonly script: string;
}

function onPath(name: string): string | undefined {
  for (const dir of ['/usr/bin', ...(process.env['PATH'] ?? '').split(delimiter)]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const found = new Map<LauncherKind, LauncherProgram | null>();

/**
 * Whether this python3 is 3.8 or later. Its real name says so on Debian and most systems
 * (`/usr/bin/python3 -> python3.11`), which spares the agent's start-up a python process
 * (~0.2 s here); otherwise ask it.
 */
function pythonIsRecent(python: string): boolean {
  let named: RegExpExecArray | null = null;
  try {
    named = /python3\.(\d+)$/.exec(realpathSync(python));
  } catch {
    return false;
  }
  if (named !== null) return Number(named[1]) >= 8;
  const check = "import os, sys; sys.exit(0 if sys.version_info >= (3, 8) and hasattr(os, 'posix_spawnp') else 1)";
  return spawnSync(python, ['-c', check], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * The launcher of that kind, or undefined when this system cannot run it (no perl; no python3,
 * or one older than 3.8, which has no `os.posix_spawnp`). Looked up once per process.
 */
export function findLauncher(kind: LauncherKind): LauncherProgram | undefined {
  let program = found.get(kind);
  if (program === undefined) {
    program = null;
    if (kind === 'perl') {
      const perl = onPath('perl');
      if (perl !== undefined) program = { kind, interpreter: perl, script: PERL_LAUNCHER };
    } else {
      const python = onPath('python3');
      if (python !== undefined && pythonIsRecent(python)) program = { kind, interpreter: python, script: PYTHON_LAUNCHER };
    }
    found.set(kind, program);
  }
  return program ?? undefined;
}

interface Pending {
  started(pid: number, startTime: string): void;
  reject(error: Error): void;
}

/** The agent's end of one launcher process. */
export class Launcher {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Containers started and not yet reported ended: while there are any, the launcher keeps the process alive. */
  private readonly live = new Set<string>();
  private corked = false;

  /**
   * @param onExit called once for every container this launcher started, when it ends.
   * @param onLost called when the launcher process itself ends (with the ids of the containers it
   *   had started and not yet reported): they run on, unwatched; the next launch starts a new one.
   */
  constructor(
    private readonly program: LauncherProgram,
    private readonly runtimeDir: string,
    private readonly onExit: (id: string, pid: number, status: ExitStatus) => void,
    private readonly onLost: (reason: string) => void,
  ) {}

  /**
   * Starts a container. `started` is called synchronously as the launcher's answer is read, so
   * that the container is known before its exit (which may be in the same read) is handled.
   */
  launch(request: LaunchRequest, started: (pid: number, startTime: string) => void): Promise<{ pid: number; startTime: string }> {
    if (this.pending.has(request.id)) return Promise.reject(new Error(`Container '${request.id}' is already being launched`));
    const child = this.child ?? this.start();
    const orphan = request.orphanTimeoutMs === undefined ? '' : String(Math.max(1, Math.ceil(request.orphanTimeoutMs / 1000)));
    const fields = ['launch', request.id, request.sandboxDir, request.uid === undefined ? '' : String(request.uid), request.gid === undefined ? '' : String(request.gid), (request.join ?? []).join('\n'), orphan, String(request.argv.length), ...request.argv];
    for (const [name, value] of Object.entries(request.environment)) fields.push(`${name}=${value}`);
    return new Promise((resolve, reject) => {
      this.holdAlive(child);
      this.pending.set(request.id, {
        started: (pid, startTime) => {
          started(pid, startTime);
          resolve({ pid, startTime });
        },
        reject,
      });
      // The launches of one turn of the event loop reach the launcher in one write.
      if (!this.corked) {
        this.corked = true;
        child.stdin!.cork();
        setImmediate(() => {
          this.corked = false;
          child.stdin!.uncork();
        });
      }
      child.stdin!.write(fields.map(hex).join(' ') + '\n');
    });
  }

  get kind(): LauncherKind {
    return this.program.kind;
  }

  /** The launcher's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Closes the launcher's input: it exits once its last container has ended. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private start(): ChildProcess {
    const child = spawn(this.program.interpreter, [this.program.kind === 'perl' ? '-e' : '-c', this.program.script, this.runtimeDir], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    this.child = child;
    child.unref();
    (child.stdout as Socket).unref();
    (child.stdin as unknown as Socket).unref();
    child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => this.receive(line));
    const lost = (reason: string): void => {
      if (this.child === child) this.child = undefined;
      const pending = [...this.pending.values()];
      this.pending.clear();
      this.live.clear();
      for (const p of pending) p.reject(new Error(`The launcher ended before starting the container (${reason})`));
      this.onLost(reason);
    };
    child.once('error', (error) => lost(error.message));
    child.once('exit', (code, signal) => lost(signal === null ? `exit status ${code}` : `signal ${signal}`));
    return child;
  }

  /**
   * A launch in flight or a container running keeps the event loop alive, as a child process
   * would; an idle launcher does not hold a process that has nothing else to do.
   */
  private holdAlive(child: ChildProcess | undefined = this.child): void {
    const stdout = child?.stdout as Socket | undefined | null;
    if (this.pending.size > 0 || this.live.size > 0) stdout?.ref();
    else stdout?.unref();
  }

  private receive(line: string): void {
    const [op, idHex = '', a = '', b = '', c = ''] = line.split(' ');
    const id = unhex(idHex);
    if (op === 'start') {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      this.live.add(id);
      pending?.started(Number(a), b);
      this.holdAlive();
    } else if (op === 'exit') {
      this.live.delete(id);
      this.holdAlive();
      this.onExit(id, Number(a), b === '-' ? { signal: Number(c) } : { code: Number(b) });
    } else if (op === 'error') {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      pending?.reject(new Error(unhex(a)));
      this.holdAlive();
    }
  }
}
