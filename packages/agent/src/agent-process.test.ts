import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContainerConfig, Containerizer, Termination } from '@ts-mesos/containerizer';
import { MemoryNetwork, Process, Runtime, silentLogger, type Upid, VirtualClock } from '@ts-mesos/libprocess';
import { type InternalMessage, messageName } from '@ts-mesos/protocol';
import { AgentJournal } from './agent-journal.js';
import { AgentProcess } from './agent-process.js';

/** Stands in for the master: registers the agent as 'S1' and keeps the status updates it gets. */
class FakeMaster extends Process {
  readonly updates: InternalMessage<'StatusUpdate'>[] = [];
  readonly exitedExecutors: InternalMessage<'ExitedExecutor'>[] = [];
  reregistrations = 0;
  agent: Upid | undefined;

  constructor() {
    super('master');
    this.install(messageName('RegisterAgent'), (from) => {
      this.agent = from;
      this.send(from, messageName('AgentRegistered'), { agent_id: { value: 'S1' } });
    });
    this.install(messageName('ReregisterAgent'), (from) => {
      this.reregistrations++;
      this.agent = from;
      this.send(from, messageName('AgentReregistered'), { agent_id: { value: 'S1' } });
    });
    this.install(messageName('StatusUpdate'), (_, body: InternalMessage<'StatusUpdate'>) => {
      this.updates.push(body);
    });
    this.install(messageName('ExitedExecutor'), (_, body: InternalMessage<'ExitedExecutor'>) => {
      this.exitedExecutors.push(body);
    });
  }

  tell<N extends 'Ping' | 'KillTask' | 'ShutdownExecutor' | 'ReconcileTasks' | 'ShutdownFramework' | 'RunTask' | 'RunTaskGroup' | 'StatusUpdateAcknowledgement' | 'CheckpointResources'>(name: N, body: InternalMessage<N>): void {
    this.send(this.agent!, messageName(name), body);
  }
}

/** The agent runs no task in these tests. */
const idle: Containerizer = {
  name: 'idle',
  supports: () => true,
  launch: () => Promise.reject(new Error('not in this test')),
  wait: () => Promise.reject(new Error('not in this test')),
  destroy: () => Promise.reject(new Error('not in this test')),
  usage: () => Promise.reject(new Error('not in this test')),
  recover: () => Promise.resolve(),
  containers: () => [],
};

/** A containerizer whose containers start at once and end when the test calls their entry in `ends`. */
function controlledContainerizer(): { ends: Map<string, (termination: Termination) => void>; controlled: Containerizer } {
  const ends = new Map<string, (termination: Termination) => void>();
  const controlled: Containerizer = {
    ...idle,
    launch: (config) => Promise.resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: 'controlled', state: {} }),
    wait: (id) => new Promise((resolve) => ends.set(id, resolve)),
  };
  return { ends, controlled };
}

/** Lets messages go back and forth between agent and master until both are idle (three rounds). */
async function settleBoth(agentRuntime: Runtime, masterRuntime: Runtime): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await agentRuntime.settle();
    await masterRuntime.settle();
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A registered agent (as 'S1') with `containerizer`, on a memory network with a fake master and a virtual clock. */
async function registeredAgent(containerizer: Containerizer, workDir = mkdtempSync(join(tmpdir(), 'agent-process-'))): Promise<{ master: FakeMaster; masterRuntime: Runtime; agentRuntime: Runtime; journal: AgentJournal; workDir: string; agent: AgentProcess }> {
  const clock = new VirtualClock(0);
  const network = new MemoryNetwork();
  const masterRuntime = new Runtime({ transport: network.transport('10.0.0.1', 5050), clock, logger: silentLogger() });
  const agentRuntime = new Runtime({ transport: network.transport('10.0.0.2', 5051), clock, logger: silentLogger() });
  await masterRuntime.start();
  await agentRuntime.start();
  const master = new FakeMaster();
  const masterPid = masterRuntime.spawn(master);
  dirs.push(workDir);
  const journal = new AgentJournal(workDir);
  const agent = new AgentProcess({ master: masterPid, workDir, info: { hostname: 'a1', resources: [] }, containerizer, journal, registrationBackoffMs: 1000, killGracePeriodMs: 1000 });
  agentRuntime.spawn(agent);
  await agentRuntime.advance(10);
  await masterRuntime.settle();
  expect(master.agent).toBeDefined();
  return { master, masterRuntime, agentRuntime, journal, workDir, agent };
}

describe('AgentProcess', () => {
  it("makes and removes persistent volumes' directories, but never for a volume whose ID names another directory", async () => {
    const { master, masterRuntime, agentRuntime, workDir } = await registeredAgent(idle);
    const volume = (id: string) => ({ name: 'disk', type: 'SCALAR' as const, scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC' as const, role: 'r1' }], disk: { persistence: { id }, volume: { container_path: 'data', mode: 'RW' as const } } });
    const checkpoint = async (resources: unknown[]) => {
      master.tell('CheckpointResources', { resources: resources as never });
      await agentRuntime.settle();
      await masterRuntime.settle();
    };
    const precious = join(workDir, 'volumes', 'roles', 'r1', 'precious');
    await checkpoint([volume('precious')]);
    writeFileSync(join(precious, 'data.txt'), 'keep me');
    // A volume named '..' (the master refuses to create one; an older master did not) comes and goes.
    await checkpoint([volume('precious'), volume('..'), volume('x'.repeat(300))]);
    await checkpoint([volume('precious')]);
    expect(readFileSync(join(precious, 'data.txt'), 'utf8')).toBe('keep me');
    await checkpoint([]);
    expect(existsSync(precious)).toBe(false);
    expect(existsSync(join(workDir, 'volumes', 'roles', 'r1'))).toBe(true);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('answers a master reconciling a task it never received with TASK_LOST, once, through its status update manager, even for a framework it shut down', async () => {
    const { master, masterRuntime, agentRuntime, journal } = await registeredAgent(idle);

    const statuses = [{ task_id: { value: 't9' }, state: 'TASK_STAGING' as const, source: 'SOURCE_MASTER' as const, reason: 'REASON_RECONCILIATION' as const }];
    master.tell('ReconcileTasks', { framework_id: { value: 'F' }, statuses });
    await agentRuntime.settle();
    await masterRuntime.settle();
    expect(master.updates).toEqual([
      expect.objectContaining({ framework_id: { value: 'F' }, status: expect.objectContaining({ task_id: { value: 't9' }, state: 'TASK_LOST', source: 'SOURCE_AGENT', reason: 'REASON_RECONCILIATION' }) }),
    ]);
    // Checkpointed before it was sent, as every update is.
    expect(journal.replay().some((r) => r.k === 'update' && r.update.uuid === master.updates[0]!.uuid)).toBe(true);

    // Asked again before acknowledging: the pending update answers for it.
    master.tell('ReconcileTasks', { framework_id: { value: 'F' }, statuses });
    await agentRuntime.settle();
    await masterRuntime.settle();
    expect(master.updates).toHaveLength(1);

    // A framework the agent was told to shut down is still answered: the master asking still
    // knows it, and launched the task after the shutdown (found by tools/sim, seed 335).
    master.tell('ShutdownFramework', { framework_id: { value: 'G' } });
    master.tell('ReconcileTasks', { framework_id: { value: 'G' }, statuses: [{ ...statuses[0]!, task_id: { value: 'g1' } }] });
    await agentRuntime.settle();
    await masterRuntime.settle();
    expect(master.updates.at(-1)).toMatchObject({ framework_id: { value: 'G' }, status: { task_id: { value: 'g1' }, state: 'TASK_LOST' } });
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it("answers a kill of a task it never received with TASK_LOST once (as Mesos's agent does), and a shutdown of an unknown executor with nothing", async () => {
    const { master, masterRuntime, agentRuntime } = await registeredAgent(idle);
    const settle = async () => {
      await agentRuntime.settle();
      await masterRuntime.settle();
    };
    master.tell('ShutdownExecutor', { framework_id: { value: 'F' }, executor_id: { value: 'e1' } });
    await settle();
    expect(master.updates).toEqual([]);
    // The RunTask was lost: the framework kills the task stuck in STAGING.
    master.tell('KillTask', { framework_id: { value: 'F' }, task_id: { value: 't7' } });
    await settle();
    expect(master.updates).toEqual([
      expect.objectContaining({ framework_id: { value: 'F' }, status: expect.objectContaining({ task_id: { value: 't7' }, state: 'TASK_LOST', source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED' }) }),
    ]);
    // Killed again before the acknowledgement: not a second update.
    master.tell('KillTask', { framework_id: { value: 'F' }, task_id: { value: 't7' } });
    await settle();
    expect(master.updates).toHaveLength(1);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('does not answer a kill or a reconciliation that arrives after the acknowledgement of the task\'s end (found by tools/sim, chaos seed 200)', async () => {
    const { ends, controlled } = controlledContainerizer();
    const { master, masterRuntime, agentRuntime } = await registeredAgent(controlled);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    const ack = (uuid: string) => master.tell('StatusUpdateAcknowledgement', { agent_id: { value: 'S1' }, framework_id: { value: 'F' }, task_id: { value: 't1' }, uuid });
    master.tell('RunTask', { framework_info: { id: { value: 'F' }, user: 'root', name: 'f' }, task: { name: 't1', task_id: { value: 't1' }, agent_id: { value: 'S1' }, resources: [], command: { value: 'sleep 60' } } });
    await settle();
    ack(master.updates[0]!.uuid);
    await settle();
    [...ends.values()][0]!({ exitCode: 0, message: 'Command exited with status 0' });
    await settle();
    expect(master.updates.map((u) => u.status.state)).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    ack(master.updates[1]!.uuid);
    await settle();
    // A kill sent before the task finished, overtaken by the acknowledgement; then a late reconciliation.
    master.tell('KillTask', { framework_id: { value: 'F' }, task_id: { value: 't1' } });
    master.tell('ReconcileTasks', { framework_id: { value: 'F' }, statuses: [{ task_id: { value: 't1' }, state: 'TASK_RUNNING' }] });
    await settle();
    expect(master.updates.map((u) => u.status.state)).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('forgets a framework the master shut down once nothing of it runs, also across a restart: no task of it comes back', async () => {
    const ends = new Map<string, (termination: Termination) => void>();
    const destroyed: string[] = [];
    const controlled: Containerizer = {
      ...idle,
      launch: (config) => Promise.resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: 'controlled', state: {} }),
      wait: (id) => new Promise((resolve) => ends.set(id, resolve)),
      destroy: (id) => {
        destroyed.push(id);
        const killed: Termination = { signal: 'SIGKILL', message: 'Killed' };
        ends.get(id)?.(killed);
        return Promise.resolve(killed);
      },
    };
    const { master, masterRuntime, agentRuntime, workDir, agent } = await registeredAgent(controlled);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    for (const id of ['done', 'running']) {
      master.tell('RunTask', { framework_info: { id: { value: 'F' }, user: 'root', name: 'f' }, task: { name: id, task_id: { value: id }, agent_id: { value: 'S1' }, resources: [], command: { value: 'sleep 60' } } });
    }
    await settle();
    const [doneContainer] = [...ends.keys()];
    ends.get(doneContainer!)!({ exitCode: 0, message: 'Command exited with status 0' });
    await settle();
    // No acknowledgement comes: the framework is torn down with 'done' finished and 'running' running.
    master.updates.splice(0);
    master.tell('ShutdownFramework', { framework_id: { value: 'F' } });
    await agentRuntime.advance(2000); // the kill's grace period
    await settle();
    expect(destroyed).toHaveLength(1);
    expect(master.updates).toEqual([]);
    const state = agent.state() as { frameworks: unknown[]; completed_frameworks: { id: string; completed_executors: { id: string }[] }[] };
    expect(state.frameworks).toEqual([]);
    expect(state.completed_frameworks.map((f) => [f.id, f.completed_executors.map((e) => e.id).sort()])).toEqual([['F', ['done', 'running']]]);
    await agentRuntime.stop();
    await masterRuntime.stop();

    // A new agent process on the same work_dir recovers nothing of F and reports nothing of it.
    const again = await registeredAgent({ ...idle, recover: () => Promise.resolve() }, workDir);
    await again.agentRuntime.advance(10);
    await again.masterRuntime.settle();
    expect(again.master.updates).toEqual([]);
    expect((again.agent.state() as { frameworks: unknown[] }).frameworks).toEqual([]);
    await again.agentRuntime.stop();
    await again.masterRuntime.stop();
  });

  it("tells the master a task group's executor exited once the group's last task ended, and journals the group with each task", async () => {
    const { ends, controlled } = controlledContainerizer();
    const { master, masterRuntime, agentRuntime, journal } = await registeredAgent(controlled);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: { value: 'S1' }, resources: [], command: { value: 'sleep 60' } });
    const executor = { executor_id: { value: 'g1' }, type: 'DEFAULT' as const, framework_id: { value: 'F' } };
    master.tell('RunTaskGroup', { framework_info: { id: { value: 'F' }, user: 'root', name: 'f' }, executor, task_group: { tasks: [task('a'), task('b')] } });
    await settle();
    expect(ends.size).toBe(2);
    const [first, second] = [...ends.values()];
    first!({ exitCode: 0, message: 'Command exited with status 0' });
    await settle();
    expect(master.exitedExecutors).toEqual([]); // 'b' still runs under g1
    second!({ exitCode: 0, message: 'Command exited with status 0' });
    await settle();
    expect(master.exitedExecutors).toEqual([{ agent_id: { value: 'S1' }, framework_id: { value: 'F' }, executor_id: { value: 'g1' } }]);
    const tasks = journal.replay().filter((r) => r.k === 'task');
    expect(tasks.map((r) => (r.k === 'task' ? [r.task.task_id.value, r.group?.executor.executor_id.value, r.group?.tasks] : []))).toEqual([
      ['a', 'g1', ['a', 'b']],
      ['b', 'g1', ['a', 'b']],
    ]);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('drops a task with an ID that would leave its sandbox directory, and fails one whose resources do not parse', async () => {
    const launched: string[] = [];
    const recording: Containerizer = {
      ...idle,
      launch: (config) => {
        launched.push(config.sandboxDir);
        return Promise.resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: 'recording', state: {} });
      },
      wait: () => new Promise(() => undefined),
    };
    const { master, masterRuntime, agentRuntime, agent } = await registeredAgent(recording);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    const framework_info = { id: { value: 'F' }, user: 'root', name: 'f' };
    for (const id of ['..', 'a/b']) master.tell('RunTask', { framework_info, task: { name: id, task_id: { value: id }, agent_id: { value: 'S1' }, resources: [], command: { value: 'true' } } });
    master.tell('RunTask', { framework_info, task: { name: 'neg', task_id: { value: 'neg' }, agent_id: { value: 'S1' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }], command: { value: 'true' } } });
    await settle();
    expect(launched).toEqual([]);
    expect(master.updates.map((u) => [u.status.task_id.value, u.status.state, u.status.reason])).toEqual([['neg', 'TASK_FAILED', 'REASON_TASK_INVALID']]);
    const state = agent.state() as { frameworks: { executors: { id: string }[] }[] };
    expect(state.frameworks.flatMap((f) => f.executors.map((e) => e.id))).toEqual(['neg']);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('registers again when a ping says the master holds it disconnected, and only then', async () => {
    const { master, masterRuntime, agentRuntime } = await registeredAgent(idle);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    master.tell('Ping', { connected: true });
    await agentRuntime.advance(5000);
    await settle();
    expect(master.reregistrations).toBe(0);
    master.tell('Ping', { connected: false });
    await agentRuntime.advance(5000); // the registration backoff
    await settle();
    expect(master.reregistrations).toBe(1);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });

  it('gives each run of a task its own sandbox, also when its task ID was used before', async () => {
    // Records each launch (and whether its sandbox existed by then); each container ends when told.
    const launches: { config: ContainerConfig; sandboxExisted: boolean }[] = [];
    const ends = new Map<string, (termination: Termination) => void>();
    const recording: Containerizer = {
      ...idle,
      launch: (config) => {
        launches.push({ config, sandboxExisted: existsSync(config.sandboxDir) });
        return Promise.resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: 'recording', state: {} });
      },
      wait: (id) => new Promise((resolve) => ends.set(id, resolve)),
    };
    const { master, masterRuntime, agentRuntime } = await registeredAgent(recording);
    const settle = (): Promise<void> => settleBoth(agentRuntime, masterRuntime);
    const run = async (): Promise<string> => {
      master.tell('RunTask', {
        framework_info: { id: { value: 'F' }, user: 'root', name: 'f' },
        task: { name: 't', task_id: { value: 't1' }, agent_id: { value: 'S1' }, resources: [], command: { value: 'true' } },
      });
      await settle();
      const { config } = launches.at(-1)!;
      ends.get(config.containerId)!({ exitCode: 0, message: 'Command exited with status 0' });
      await settle();
      // The agent sends a task's next update once the last is acknowledged; acknowledging them
      // all, TASK_FINISHED included, lets it forget the task.
      const states: string[] = [];
      while (master.updates.length > 0) {
        for (const update of master.updates.splice(0)) {
          states.push(update.status.state);
          master.tell('StatusUpdateAcknowledgement', { agent_id: { value: 'S1' }, framework_id: { value: 'F' }, task_id: { value: 't1' }, uuid: update.uuid });
        }
        await settle();
      }
      expect(states.at(-1)).toBe('TASK_FINISHED');
      return config.sandboxDir;
    };
    const first = await run();
    const second = await run();

    expect(launches.map((l) => l.sandboxExisted)).toEqual([true, true]);
    expect(first).toMatch(/\/slaves\/S1\/frameworks\/F\/executors\/t1\/runs\/[^/]+$/);
    expect(second).not.toBe(first);
    expect(existsSync(first) && existsSync(second)).toBe(true);
    await agentRuntime.stop();
    await masterRuntime.stop();
  });
});
