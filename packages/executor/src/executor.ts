import { randomBytes } from 'node:crypto';
import { decodeExecutorEvent, type ExecutorCall, type ExecutorEvent, RecordIoDecoder, type TaskState, type TaskStatus } from '@ts-mesos/protocol';

/** Where the agent told the executor to find it, and who it is (the `MESOS_*` environment). */
export interface ExecutorEnvironment {
  /** `MESOS_AGENT_ENDPOINT`: `host:port` of the agent. */
  readonly agentEndpoint: string;
  readonly frameworkId: string;
  readonly executorId: string;
  /** `MESOS_SANDBOX`. */
  readonly sandbox: string;
}

/** Reads `MESOS_AGENT_ENDPOINT`, `MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID` and `MESOS_SANDBOX`; throws naming what is missing. */
export function executorEnvironment(env: NodeJS.ProcessEnv = process.env): ExecutorEnvironment {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set: an executor is started by a Mesos agent, which sets it`);
    return value;
  };
  return { agentEndpoint: need('MESOS_AGENT_ENDPOINT'), frameworkId: need('MESOS_FRAMEWORK_ID'), executorId: need('MESOS_EXECUTOR_ID'), sandbox: env['MESOS_SANDBOX'] ?? process.cwd() };
}

/** A call the agent answered with something other than 202: its status and message. */
export class ExecutorCallError extends Error {
  readonly _tag = 'ExecutorCallError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An executor's connection to its agent over the v1 Executor HTTP API
 * (docs/executor-http-api.md): SUBSCRIBE opens the event stream (SUBSCRIBED, LAUNCH,
 * LAUNCH_GROUP, KILL, ACKNOWLEDGED, MESSAGE, SHUTDOWN, ...), which the handler receives in
 * order; `update` sends a task's status (with a fresh uuid) and remembers it until the agent
 * says ACKNOWLEDGED; `message` sends data to the scheduler.
 */
export class Executor {
  private readonly url: string;
  private abort: AbortController | undefined;
  /** Updates the agent has not acknowledged yet, by uuid. */
  readonly unacknowledged = new Map<string, TaskStatus>();

  constructor(
    readonly env: ExecutorEnvironment,
    private readonly handler: (event: ExecutorEvent, executor: Executor) => void | Promise<void>,
  ) {
    this.url = `http://${env.agentEndpoint}/api/v1/executor`;
  }

  /** Subscribes and handles events until the stream ends (the agent went, or SHUTDOWN closed it); resolves then. */
  async run(): Promise<void> {
    this.abort = new AbortController();
    const call: ExecutorCall = { type: 'SUBSCRIBE', framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId }, subscribe: { unacknowledged_updates: [...this.unacknowledged.values()].map((status) => ({ status })) } };
    const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(call), signal: this.abort.signal });
    if (response.status !== 200 || response.body === null) throw new ExecutorCallError(response.status, `SUBSCRIBE failed: ${response.status} ${await response.text().catch(() => '')}`);
    const decoder = new RecordIoDecoder();
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        for (const record of decoder.decode(chunk)) {
          const parsed = decodeExecutorEvent(JSON.parse(new TextDecoder().decode(record)));
          if (!parsed.ok) throw new Error(`Invalid executor event: ${parsed.error}`);
          const event = parsed.value;
          if (event.type === 'ACKNOWLEDGED') this.unacknowledged.delete(event.acknowledged!.uuid);
          await this.handler(event, this);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) throw error;
    }
  }

  /** Closes the stream: `run` resolves. */
  stop(): void {
    this.abort?.abort();
  }

  /** Sends a task's status; resolves once the agent accepted it (202). */
  async update(taskId: string, state: TaskState, fields: Partial<Omit<TaskStatus, 'task_id' | 'state' | 'uuid'>> = {}): Promise<TaskStatus> {
    const status: TaskStatus = { source: 'SOURCE_EXECUTOR', timestamp: Date.now() / 1000, ...fields, task_id: { value: taskId }, state, uuid: randomBytes(16).toString('base64') };
    this.unacknowledged.set(status.uuid!, status);
    await this.call({ type: 'UPDATE', framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId }, update: { status } });
    return status;
  }

  /** Sends data to the scheduler (a MESSAGE event there). */
  message(data: string): Promise<void> {
    return this.call({ type: 'MESSAGE', framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId }, message: { data: Buffer.from(data).toString('base64') } });
  }

  private async call(call: ExecutorCall): Promise<void> {
    const response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
    if (response.status !== 202) throw new ExecutorCallError(response.status, `${call.type} failed: ${response.status} ${await response.text().catch(() => '')}`);
  }
}
