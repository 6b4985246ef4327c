import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerId, Resources } from '@ts-mesos/protocol';
import type { ContainerConfig } from './containerizer.js';
import { ContainerLaunchError } from './containerizer.js';
import { type Isolator, PosixContainerizer } from './posix-containerizer.js';
import { processStartTime } from './proc-stat.js';

let root: string;
let containerizer: PosixContainerizer;
let count = 0;

function config(command: ContainerConfig['command'], environment: Record<string, string> = {}): ContainerConfig {
  const containerId = ContainerId(`c${++count}`);
  const sandboxDir = join(root, 'sandboxes', containerId);
  mkdirSync(sandboxDir, { recursive: true });
  return { containerId, sandboxDir, command, environment, resources: Resources.EMPTY };
}

function sessionMembers(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[3]) === sid && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe.each(['python', 'perl', 'spawn'] as const)('PosixContainerizer (%s launcher)', (launcher) => {
  const make = (): PosixContainerizer => new PosixContainerizer({ runtimeDir: join(root, 'containers'), pollMs: 20, launcher });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'posix-containerizer-'));
    containerizer = make();
  });

  afterEach(async () => {
    await Promise.all(containerizer.containers().map((id) => containerizer.destroy(id, 0).catch(() => undefined)));
    containerizer.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('writes stdout and stderr into the sandbox and reports the exit code', async () => {
    const c = config({ value: 'echo out; echo err >&2; exit 3' });
    await containerizer.launch(c);
    expect(await containerizer.wait(c.containerId)).toEqual({ exitCode: 3, message: 'Command exited with status 3' });
    expect(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8')).toBe('out\n');
    expect(readFileSync(join(c.sandboxDir, 'stderr'), 'utf8')).toBe('err\n');
    expect(containerizer.containers()).toEqual([]);
  });

  it('runs shell:false commands with their arguments (arguments[0] is argv[0])', async () => {
    const c = config({ shell: false, value: '/bin/echo', arguments: ['echo', 'a b', 'c'] });
    await containerizer.launch(c);
    expect((await containerizer.wait(c.containerId)).exitCode).toBe(0);
    expect(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8')).toBe('a b c\n');
  });

  it("layers the environment: the agent's, the command's, then the config's", async () => {
    const c = config({ value: 'echo "$A $B $HOME_SET"', environment: { variables: [{ name: 'A', value: 'command' }, { name: 'B', value: 'command' }] } }, { B: 'config', HOME_SET: 'yes' });
    await containerizer.launch(c);
    await containerizer.wait(c.containerId);
    expect(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8')).toBe('command config yes\n');
  });

  it('destroy kills the whole process group and reports the signal', async () => {
    const c = config({ value: 'sleep 1000 & echo ready; sleep 1000' });
    const checkpoint = await containerizer.launch(c);
    const pid = Number(checkpoint.state['pid']);
    // The sleeps start a moment after the launch: wait for them (the test's timeout bounds this).
    while (!readFileSync(join(c.sandboxDir, 'stdout'), 'utf8').includes('ready') || sessionMembers(pid).length < 2) await new Promise((r) => setTimeout(r, 10));
    const termination = await containerizer.destroy(c.containerId, 5000);
    expect(termination.signal).toBe('SIGTERM');
    // Killed processes take a moment to be gone from /proc.
    const deadline = Date.now() + 2000;
    while (sessionMembers(pid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sessionMembers(pid)).toEqual([]);
  });

  it('sends SIGKILL after the grace period to a command that ignores SIGTERM', async () => {
    const c = config({ value: "trap '' TERM; echo ready; while true; do sleep 0.05; done" });
    await containerizer.launch(c);
    // The trap must be in place before the kill: wait for the command to say so.
    while (!readFileSync(join(c.sandboxDir, 'stdout'), 'utf8').includes('ready')) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const termination = await containerizer.destroy(c.containerId, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(termination.signal).toBe('SIGKILL');
  });

  it('reports usage of the processes in the container', async () => {
    const c = config({ value: 'echo ready; exec sleep 1000' });
    await containerizer.launch(c);
    while (!readFileSync(join(c.sandboxDir, 'stdout'), 'utf8').includes('ready')) await new Promise((r) => setTimeout(r, 10));
    const usage = await containerizer.usage(c.containerId);
    expect(usage.processes).toBeGreaterThanOrEqual(1);
    expect(usage.mem_rss_bytes).toBeGreaterThan(0);
  });

  it('re-adopts a running container in a new instance and learns its real exit status', async () => {
    const c = config({ value: 'read line < "$MESOS_SANDBOX/go"; exit 7' }, { MESOS_SANDBOX: '' });
    const sandbox = c.sandboxDir;
    const fifo = join(sandbox, 'go');
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [fifo]);
    const checkpoint = await containerizer.launch({ ...c, environment: { MESOS_SANDBOX: sandbox } });
    containerizer.close(); // as the agent's exit would: the launcher now only waits for its containers
    const restarted = make();
    await restarted.recover([checkpoint]);
    expect(restarted.containers()).toEqual([c.containerId]);
    writeFileSync(fifo, 'go\n');
    expect((await restarted.wait(c.containerId)).exitCode).toBe(7);
  });

  it('reports the real exit status of a container that ended before recovery', async () => {
    const c = config({ value: 'exit 5' });
    const checkpoint = await containerizer.launch(c);
    await containerizer.wait(c.containerId).catch(() => undefined);
    // The first instance removed its record on wait; a fresh one finds the status file gone,
    // so run a second container and recover it without waiting in the first instance.
    const d = config({ value: 'exit 6' });
    const second = await containerizer.launch(d);
    while (processStartTime(Number(second.state['pid'])) !== undefined) await new Promise((r) => setTimeout(r, 10));
    const restarted = make();
    await restarted.recover([second, checkpoint]);
    expect((await restarted.wait(d.containerId)).exitCode).toBe(6);
  });

  it('reports death by signal as the signal', async () => {
    const c = config({ value: 'kill -KILL $$' });
    await containerizer.launch(c);
    expect(await containerizer.wait(c.containerId)).toEqual({ signal: 'SIGKILL', message: 'Command terminated with signal SIGKILL' });
  });

  it('rejects environment variable names that cannot be set', async () => {
    const c = config({ value: 'true' }, { 'A=B': 'x' });
    await expect(containerizer.launch(c)).rejects.toThrow(/invalid environment variable name 'A=B'/);
  });

  it('rejects a launch into a missing sandbox', async () => {
    const c = config({ value: 'true' });
    await expect(containerizer.launch({ ...c, sandboxDir: join(root, 'missing') })).rejects.toBeInstanceOf(ContainerLaunchError);
  });
});

describe.each(['python', 'perl'] as const)('PosixContainerizer %s launcher process', (launcher) => {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'posix-containerizer-'));
    containerizer = new PosixContainerizer({ runtimeDir: join(root, 'containers'), pollMs: 20, launcher });
  });

  afterEach(async () => {
    await Promise.all(containerizer.containers().map((id) => containerizer.destroy(id, 0).catch(() => undefined)));
    containerizer.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('ends the containers launched with an orphan timeout when no agent comes back within it, and only those', async () => {
    const timed = new PosixContainerizer({ runtimeDir: join(root, 'timed'), pollMs: 20, launcher });
    const c = { ...config({ value: 'sleep 1000' }), orphanTimeoutMs: 1000 };
    const untimed = config({ value: 'sleep 1000' });
    const checkpoint = await timed.launch(c);
    const other = await timed.launch(untimed);
    const launcherPid = timed.launcherPid!;
    timed.close(); // the agent is gone: nobody re-adopts
    const pid = Number(checkpoint.state['pid']);
    const started = Date.now();
    while (processStartTime(pid) !== undefined) {
      expect(Date.now() - started).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    // The one launched without a timeout runs on; the launcher recorded how the other ended,
    // for the agent that comes back later.
    expect(processStartTime(Number(other.state['pid']))).toBe(other.state['startTime']);
    const restarted = new PosixContainerizer({ runtimeDir: join(root, 'timed'), pollMs: 20, launcher });
    await restarted.recover([checkpoint, other]);
    expect(await restarted.wait(c.containerId)).toMatchObject({ signal: 'SIGTERM' });
    await restarted.destroy(untimed.containerId, 0);
    while (processStartTime(launcherPid) !== undefined) await new Promise((r) => setTimeout(r, 20));
  });

  it('keeps the containers a restarted agent re-adopted within the recovery timeout', async () => {
    const timed = new PosixContainerizer({ runtimeDir: join(root, 'timed'), pollMs: 20, launcher });
    const c = { ...config({ value: 'sleep 1000' }), orphanTimeoutMs: 1000 };
    const checkpoint = await timed.launch(c);
    timed.close();
    const restarted = new PosixContainerizer({ runtimeDir: join(root, 'timed'), pollMs: 20, launcher });
    await restarted.recover([checkpoint]);
    await new Promise((r) => setTimeout(r, 2500));
    expect(processStartTime(Number(checkpoint.state['pid']))).toBe(checkpoint.state['startTime']);
    expect((await restarted.destroy(c.containerId, 0)).signal).toBe('SIGTERM');
  });

  it('keeps watching containers whose launcher died, and starts a new launcher for the next launch', async () => {
    const c = config({ value: 'sleep 1000' });
    const checkpoint = await containerizer.launch(c);
    const first = containerizer.launcherPid!;
    process.kill(first, 'SIGKILL');
    while (containerizer.launcherPid === first) await new Promise((r) => setTimeout(r, 10));
    // The container runs on, now polled; killing it is still seen.
    expect(processStartTime(Number(checkpoint.state['pid']))).toBe(checkpoint.state['startTime']);
    const termination = await containerizer.destroy(c.containerId, 5000);
    expect(termination.signal).toBe('SIGTERM');
    const d = config({ value: 'exit 4' });
    await containerizer.launch(d);
    expect(containerizer.launcherPid).not.toBe(first);
    expect((await containerizer.wait(d.containerId)).exitCode).toBe(4);
  });

  it('starts the command with none of the standard signals ignored or blocked (the launcher ignores SIGPIPE)', async () => {
    const c = config({ value: 'grep -E "^Sig(Ign|Blk)" /proc/self/status' });
    await containerizer.launch(c);
    expect((await containerizer.wait(c.containerId)).exitCode).toBe(0);
    const masks = Object.fromEntries(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8').trim().split('\n').map((line) => line.split(':\t')));
    // Signals 1-31; glibc's posix_spawn leaves its own two (32 and 33) ignored, and glibc
    // programs install their handlers for those when they use them.
    const standard = (mask: string): bigint => BigInt(`0x${mask}`) & 0x7fffffffn;
    expect(standard(masks['SigBlk'])).toBe(0n);
    expect(standard(masks['SigIgn'])).toBe(0n);
  });

  it('says why a command cannot be executed, as exit status 127 in its stderr', async () => {
    const c = config({ shell: false, value: join(root, 'no-such-program'), arguments: ['x'] });
    await containerizer.launch(c);
    expect((await containerizer.wait(c.containerId)).exitCode).toBe(127);
    expect(readFileSync(join(c.sandboxDir, 'stderr'), 'utf8')).toBe(`Failed to execute '${join(root, 'no-such-program')}': No such file or directory\n`);
  });

  it("writes the first process's pid into the isolators' join files before it execs", async () => {
    const joined = join(root, 'joined');
    writeFileSync(joined, '');
    const isolator: Isolator = { name: 'test/join', prepare: () => ({ join: [joined] }), cleanup: () => Promise.resolve() };
    const isolated = new PosixContainerizer({ runtimeDir: join(root, 'isolated'), pollMs: 20, launcher, isolators: [isolator] });
    const c = config({ value: 'echo $$' });
    const checkpoint = await isolated.launch(c);
    expect((await isolated.wait(c.containerId)).exitCode).toBe(0);
    isolated.close();
    expect(readFileSync(joined, 'utf8')).toBe(String(checkpoint.state['pid']));
    expect(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8')).toBe(`${String(checkpoint.state['pid'])}\n`);
  });

  it('reports a container started only once its first process has joined (a join file that is a FIFO holds the join until it is read)', async () => {
    const fifo = join(root, 'join-fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const isolator: Isolator = { name: 'test/join', prepare: () => ({ join: [fifo] }), cleanup: () => Promise.resolve() };
    const isolated = new PosixContainerizer({ runtimeDir: join(root, 'isolated'), pollMs: 20, launcher, isolators: [isolator] });
    const c = config({ value: 'echo $$' });
    let started = false;
    const launched = isolated.launch(c).then((checkpoint) => {
      started = true;
      return checkpoint;
    });
    // The child is forked and blocks opening the FIFO until it is read: not started yet.
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toBe(false);
    const written = await readFile(fifo, 'utf8');
    const checkpoint = await launched;
    expect(written).toBe(String(checkpoint.state['pid']));
    expect((await isolated.wait(c.containerId)).exitCode).toBe(0);
    isolated.close();
  });

  it.runIf(process.getuid?.() === 0)("runs the command as the task's user, with that user's group", async () => {
    chmodSync(root, 0o755); // mkdtemp's 0700 would keep nobody out of the sandbox
    const c = { ...config({ value: 'id -u; id -g; id -G; pwd' }), user: 'nobody' };
    await containerizer.launch(c);
    expect((await containerizer.wait(c.containerId)).exitCode).toBe(0);
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':');
    expect(readFileSync(join(c.sandboxDir, 'stdout'), 'utf8')).toBe(`${passwd[2]}\n${passwd[3]}\n${passwd[3]}\n${c.sandboxDir}\n`);
  });
});
