// The agent's side of a custom executor subscribing again after the agent restarted
// (docs/executor-http-api.md, "Agent Recovery"), on virtual time and the in-memory network:
// the journal a previous agent process left, a containerizer that only keeps books.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerCheckpoint, ContainerConfig, Containerizer, ResourceStatistics, Termination } from '@ts-mesos/containerizer';
import { MemoryNetwork, Runtime, silentLogger, VirtualClock } from '@ts-mesos/libprocess';
import { ContainerId, type ExecutorCall, type ExecutorEvent, type FrameworkInfo, RecordIoDecoder, type TaskInfo, type TaskState } from '@ts-mesos/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentJournal, type JournalRecord } from './agent-journal.js';
import { AgentProcess } from './agent-process.js';
import type { StatusUpdate } from './status-update-manager.js';

/** Containers that run until destroyed; nothing is executed. */
class BookkeepingContainerizer implements Containerizer {
  readonly name = 'posix';
  readonly destroyed: string[] = [];
  private readonly running = new Map<string, { ended: Promise<Termination>; end: (t: Termination) => void }>();

  supports(): boolean {
    return true;
  }
  launch(config: ContainerConfig): Promise<ContainerCheckpoint> {
    this.track(config.containerId);
    return Promise.resolve({ containerId: config.containerId, sandboxDir: config.sandboxDir, containerizer: this.name, state: {} });
  }
  wait(containerId: ContainerId): Promise<Termination> {
    return this.running.get(containerId)?.ended ?? Promise.reject(new Error(`Unknown container '${containerId}'`));
  }
  destroy(containerId: ContainerId): Promise<Termination> {
    this.destroyed.push(containerId);
    this.running.get(containerId)?.end({ signal: 'SIGKILL', message: 'Command was killed by SIGKILL' });
    return this.wait(containerId);
  }
  usage(): Promise<ResourceStatistics> {
    return Promise.resolve({ timestamp: 0 });
  }
  recover(checkpoints: readonly ContainerCheckpoint[]): Promise<void> {
    for (const checkpoint of checkpoints) this.track(checkpoint.containerId);
    return Promise.resolve();
  }
  containers(): ContainerId[] {
    return [...this.running.keys()].map((id) => ContainerId(id));
  }
  private track(containerId: string): void {
    let end: (t: Termination) => void = () => undefined;
    const ended = new Promise<Termination>((resolve) => (end = resolve));
    this.running.set(containerId, { ended, end });
  }
}

const executorInfo = { executor_id: { value: 'E' }, command: { value: 'example-executor' } };
const task = (id: string): TaskInfo => ({ name: id, task_id: { value: id }, agent_id: { value: 'A' }, resources: [], executor: executorInfo });
const update = (taskId: string, state: TaskState, uuid: string): StatusUpdate => ({
  framework_id: { value: 'F' },
  executor_id: { value: 'E' },
  agent_id: { value: 'A' },
  status: { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', uuid },
  timestamp: 1,
  uuid,
});

/**
 * What the previous agent process left: executor E in container C runs `running` (its
 * TASK_RUNNING acknowledged), `finishing` (likewise; the executor finished it while the agent
 * was down) and `staged` (launched on the agent, never reported on). Executor E2 ran in
 * container C2 until it ended.
 */
function previousAgent(workDir: string, framework: FrameworkInfo): AgentJournal {
  const journal = new AgentJournal(workDir);
  const records: JournalRecord[] = [
    { k: 'agent', info: { hostname: 'h', id: { value: 'A' } } },
    { k: 'framework', info: framework },
    { k: 'executor', frameworkId: 'F', info: { ...executorInfo, framework_id: { value: 'F' } }, sandbox: workDir, checkpoint: { containerId: ContainerId('C'), sandboxDir: workDir, containerizer: 'posix', state: {} } },
    { k: 'executor', frameworkId: 'F', info: { executor_id: { value: 'E2' }, command: { value: 'gone' }, framework_id: { value: 'F' } }, sandbox: workDir, checkpoint: { containerId: ContainerId('C2'), sandboxDir: workDir, containerizer: 'posix', state: {} } },
    { k: 'executor-done', frameworkId: 'F', executorId: 'E2', containerId: 'C2' },
    { k: 'task', frameworkId: 'F', task: task('running'), sandbox: workDir },
    { k: 'update', update: update('running', 'TASK_RUNNING', 'uRunning') },
    { k: 'ack', frameworkId: 'F', taskId: 'running', uuid: 'uRunning' },
    { k: 'task', frameworkId: 'F', task: task('finishing'), sandbox: workDir },
    { k: 'update', update: update('finishing', 'TASK_RUNNING', 'uFinishing') },
    { k: 'ack', frameworkId: 'F', taskId: 'finishing', uuid: 'uFinishing' },
    { k: 'task', frameworkId: 'F', task: task('staged'), sandbox: workDir },
  ];
  for (const record of records) journal.append(record);
  return journal;
}

describe('a restarted agent and the custom executor it recovered', () => {
  const runtimes: Runtime[] = [];
  const workDirs: string[] = [];
  afterEach(async () => {
    for (const runtime of runtimes.splice(0)) await runtime.stop();
    for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function restart(framework: FrameworkInfo = { id: { value: 'F' }, user: 'u', name: 'f' }) {
    const workDir = mkdtempSync(join(tmpdir(), 'executor-reregistration-'));
    workDirs.push(workDir);
    const journal = previousAgent(workDir, framework);
    const network = new MemoryNetwork();
    const clock = new VirtualClock(0);
    const runtime = new Runtime({ transport: network.transport('127.0.0.1', 5051), clock, logger: silentLogger(), delegate: 'slave(1)' });
    runtimes.push(runtime);
    await runtime.start();
    const containerizer = new BookkeepingContainerizer();
    const agent = new AgentProcess({ master: undefined, workDir, info: { hostname: 'h', id: { value: 'A' } }, containerizer, journal, registrationBackoffMs: 100, killGracePeriodMs: 100, executorReregistrationTimeoutMs: 2000 });
    runtime.spawn(agent);
    await runtime.settle();
    /** The updates journaled since the restart's compaction, as `task:state:reason`. */
    const journaled = (): string[] =>
      journal
        .replay()
        .slice(1)
        .flatMap((r) => (r.k === 'update' && !['uRunning', 'uFinishing'].includes(r.update.uuid) ? [`${r.update.status.task_id.value}:${r.update.status.state}:${r.update.status.reason ?? ''}`] : []));
    const subscribe = async (call: NonNullable<ExecutorCall['subscribe']>, count: number): Promise<ExecutorEvent[]> => {
      const body: ExecutorCall = { type: 'SUBSCRIBE', framework_id: { value: 'F' }, executor_id: { value: 'E' }, subscribe: call };
      const response = await network.request(runtime.address, { method: 'POST', path: '/slave(1)/api/v1/executor', query: new URLSearchParams(), headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode(JSON.stringify(body)) });
      expect(response.status).toBe(200);
      const events: ExecutorEvent[] = [];
      const decoder = new RecordIoDecoder();
      for await (const chunk of response.body as AsyncIterable<string | Uint8Array>) {
        for (const record of decoder.decode(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) events.push(JSON.parse(new TextDecoder().decode(record)) as ExecutorEvent);
        if (events.length >= count) break;
      }
      await runtime.settle();
      return events;
    };
    return { agent, containerizer, journaled, subscribe, runtime };
  }

  it('takes the updates the executor sends again once each, and loses the task it never received', async () => {
    const { agent, containerizer, journaled, subscribe } = await restart();
    // E2 ended before the restart: only E is waited for.
    expect(containerizer.containers()).toEqual(['C']);
    expect(agent.metrics()['slave/executors_registering']).toBe(1);
    const events = await subscribe(
      {
        // 'uRunning' the agent already has (its ACKNOWLEDGED was lost with the old agent); 'uDone' is new.
        unacknowledged_updates: [{ status: update('running', 'TASK_RUNNING', 'uRunning').status }, { status: update('finishing', 'TASK_FINISHED', 'uDone').status }],
        unacknowledged_tasks: [],
      },
      3,
    );
    expect(events.map((e) => (e.type === 'ACKNOWLEDGED' ? `ACKNOWLEDGED ${e.acknowledged!.uuid}` : e.type))).toEqual(['SUBSCRIBED', 'ACKNOWLEDGED uRunning', 'ACKNOWLEDGED uDone']);
    expect(agent.taskStates()).toEqual({ 'F/running': 'TASK_RUNNING', 'F/finishing': 'TASK_FINISHED', 'F/staged': 'TASK_LOST' });
    expect(journaled()).toEqual(['finishing:TASK_FINISHED:', 'staged:TASK_LOST:REASON_AGENT_RESTARTED']);
    expect(agent.metrics()['slave/executors_registering']).toBe(0);
    expect(containerizer.destroyed).toEqual([]);
  });

  it('keeps a staged task the executor says it holds', async () => {
    const { agent, subscribe } = await restart({ id: { value: 'F' }, user: 'u', name: 'f', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await subscribe({ unacknowledged_tasks: [task('staged')] }, 1);
    expect(agent.taskStates()['F/staged']).toBe('TASK_STAGING');
  });

  it('destroys an executor that does not subscribe again within --executor_reregistration_timeout; its tasks are gone', async () => {
    const plain = await restart();
    await plain.runtime.advance(1999);
    expect(plain.containerizer.destroyed).toEqual([]);
    await plain.runtime.advance(1);
    expect(plain.containerizer.destroyed).toEqual(['C']);
    expect(plain.journaled().sort()).toEqual(['finishing:TASK_LOST:REASON_EXECUTOR_REREGISTRATION_TIMEOUT', 'running:TASK_LOST:REASON_EXECUTOR_REREGISTRATION_TIMEOUT', 'staged:TASK_LOST:REASON_EXECUTOR_REREGISTRATION_TIMEOUT']);

    const aware = await restart({ id: { value: 'F' }, user: 'u', name: 'f', capabilities: [{ type: 'PARTITION_AWARE' }] });
    await aware.runtime.advance(2000);
    expect(Object.values(aware.agent.taskStates())).toEqual(['TASK_GONE', 'TASK_GONE', 'TASK_GONE']);
  });
});
