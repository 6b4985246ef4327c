/**
 * Simulated agents for the scale benchmark: many `slave(N)` processes in one runtime (one
 * port), each speaking the real agent protocol to a real master over the real transport —
 * register, answer pings, report tasks RUNNING and then FINISHED after TASK_MS on average
 * (uniformly from half to one and a half times it, so that tasks launched together do not all
 * end together) — without forking anything (this VM forks ~220 processes a second; the
 * benchmark measures the master).
 * Usage: sim-agents.ts MASTER_PID FIRST_INDEX COUNT TASK_MS RESOURCES; prints `started` once
 * every agent has sent its registration, then one JSON line of counters per second.
 */
import { randomBytes } from 'node:crypto';
import { Process, Runtime, Upid, WebSocketTransport } from '@ts-mesos/libprocess';
import { type AgentInfo, internalDecoder, type InternalMessage, type InternalName, messageName, PROTOCOL_VERSION, type TaskInfo } from '@ts-mesos/protocol';

const counters = { registered: 0, launched: 0, finished: 0 };

class SimAgent extends Process {
  private agentId: string | undefined;
  private retry: { cancel(): void } | undefined;

  constructor(
    index: number,
    private readonly master: Upid,
    private readonly info: AgentInfo,
    private readonly taskMs: number,
  ) {
    super(`slave(${index})`);
    this.on('AgentRegistered', (m) => this.registeredAs(m.agent_id.value));
    this.on('AgentReregistered', (m) => this.registeredAs(m.agent_id.value));
    this.on('Ping', () => this.send(this.master, messageName('Pong'), {}));
    this.on('RunTask', (m) => this.run(m.framework_info.id?.value ?? '', m.task));
    this.on('RunTaskGroup', (m) => {
      for (const task of m.task_group.tasks) this.run(m.framework_info.id?.value ?? '', task);
    });
    this.on('KillTask', (m) => this.update(m.framework_id.value, m.task_id.value, 'TASK_KILLED'));
    this.on('StatusUpdateAcknowledgement', () => undefined);
    this.on('ShutdownFramework', () => undefined);
  }

  private on<N extends InternalName>(name: N, handle: (body: InternalMessage<N>) => void): void {
    this.install(messageName(name), (_from, body: InternalMessage<N>) => handle(body), internalDecoder(name));
  }

  protected override initialize(): void {
    this.link(this.master);
    this.register();
  }

  private register(): void {
    if (this.agentId !== undefined) return;
    this.send(this.master, messageName('RegisterAgent'), { version: PROTOCOL_VERSION, agent_info: this.info });
    this.retry = this.delay(10_000 + Math.random() * 10_000, () => this.register());
  }

  private registeredAs(id: string): void {
    if (this.agentId === undefined) counters.registered++;
    this.agentId = id;
    this.retry?.cancel();
  }

  private run(frameworkId: string, task: TaskInfo): void {
    counters.launched++;
    this.update(frameworkId, task.task_id.value, 'TASK_RUNNING');
    this.delay(this.taskMs * (0.5 + Math.random()), () => {
      counters.finished++;
      this.update(frameworkId, task.task_id.value, 'TASK_FINISHED');
    });
  }

  private update(frameworkId: string, taskId: string, state: 'TASK_RUNNING' | 'TASK_FINISHED' | 'TASK_KILLED'): void {
    if (this.agentId === undefined) return;
    const uuid = randomBytes(16).toString('base64');
    const now = Date.now() / 1000;
    this.send(this.master, messageName('StatusUpdate'), {
      framework_id: { value: frameworkId },
      executor_id: { value: taskId },
      agent_id: { value: this.agentId },
      status: { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', timestamp: now, uuid },
      timestamp: now,
      uuid,
    });
  }
}

const [masterPid, first, count, taskMs, resources] = process.argv.slice(2);
const runtime = new Runtime({ transport: new WebSocketTransport({ host: '127.0.0.1', port: 0 }) });
const address = await runtime.start();
const master = Upid.parse(masterPid!);
const parsed = JSON.parse(resources!) as AgentInfo['resources'];
for (let i = 0; i < Number(count); i++) {
  const index = Number(first) + i;
  runtime.spawn(new SimAgent(index, master, { hostname: `sim-${index}.example`, port: address.port, resources: parsed!, attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${index % 50}` } }] }, Number(taskMs)));
  // Yield now and then so the first registrations are answered while the rest are spawned.
  if (i % 500 === 499) await new Promise((r) => setImmediate(r));
}
process.stdout.write('started\n');
setInterval(() => process.stdout.write(`${JSON.stringify(counters)}\n`), 1000);
process.on('SIGTERM', () => void runtime.stop().then(() => process.exit(0)));
