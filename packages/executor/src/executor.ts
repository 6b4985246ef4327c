import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeExecutorEvent, type ExecutorCall, type ExecutorEvent, parseDurationMs, RecordIoDecoder, type TaskInfo, type TaskState, type TaskStatus } from '@ts-mesos/protocol';

/** How an executor re-subscribes after losing its agent (set when the framework checkpoints). */
export interface RecoveryPolicy {
  /** `MESOS_RECOVERY_TIMEOUT`: how long to keep trying before shutting down. */
  readonly timeoutMs: number;
  /** `MESOS_SUBSCRIPTION_BACKOFF_MAX`: the longest wait between two attempts. */
  readonly backoffMaxMs: number;
}

/** Where the agent told the executor to find it, and who it is (the `MESOS_*` environment). */
export interface ExecutorEnvironment {
  /** `MESOS_AGENT_ENDPOINT`: `host:port` of the agent. */
  readonly agentEndpoint: string;
  readonly frameworkId: string;
  readonly executorId: string;
  /** `MESOS_SANDBOX`. */
  readonly sandbox: string;
  /** Present when `MESOS_CHECKPOINT` is set: the agent recovers this executor after a restart, so it re-subscribes. */
  readonly recovery?: RecoveryPolicy;
}

/**
 * Reads `MESOS_AGENT_ENDPOINT`, `MESOS_FRAMEWORK_ID`, `MESOS_EXECUTOR_ID`, `MESOS_SANDBOX` and,
 * when `MESOS_CHECKPOINT` is set, `MESOS_RECOVERY_TIMEOUT` and `MESOS_SUBSCRIPTION_BACKOFF_MAX`
 * (docs/executor-http-api.md, "Executor Environment Variables"); throws naming what is missing or invalid.
 */
export function executorEnvironment(env: NodeJS.ProcessEnv = process.env): ExecutorEnvironment {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set: an executor is started by a Mesos agent, which sets it`);
    return value;
  };
  const duration = (name: string): number => {
    const ms = parseDurationMs(need(name));
    if (typeof ms === 'string') throw new Error(`Invalid ${name}: ${ms}`);
    return ms;
  };
  const checkpoint = env['MESOS_CHECKPOINT'] === '1' || env['MESOS_CHECKPOINT'] === 'true';
  return {
    agentEndpoint: need('MESOS_AGENT_ENDPOINT'),
    frameworkId: need('MESOS_FRAMEWORK_ID'),
    executorId: need('MESOS_EXECUTOR_ID'),
    sandbox: env['MESOS_SANDBOX'] ?? process.cwd(),
    ...(checkpoint ? { recovery: { timeoutMs: duration('MESOS_RECOVERY_TIMEOUT'), backoffMaxMs: duration('MESOS_SUBSCRIPTION_BACKOFF_MAX') } } : {}),
  };
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

/** The executor lost its agent for good: it does not re-subscribe (no checkpointing), or could not within the recovery timeout. */
export class ExecutorDisconnectedError extends Error {
  readonly _tag = 'ExecutorDisconnectedError';
}

/** The first retry after a disconnection waits this long; later ones double it, up to the backoff maximum. */
const FIRST_RETRY_MS = 100;

/**
 * An executor's connection to its agent over the v1 Executor HTTP API
 * (docs/executor-http-api.md): SUBSCRIBE opens the event stream (SUBSCRIBED, LAUNCH,
 * LAUNCH_GROUP, KILL, ACKNOWLEDGED, MESSAGE, SHUTDOWN, ...), which the handler receives in
 * order; `update` sends a task's status (with a fresh uuid) and remembers it until the agent
 * says ACKNOWLEDGED; `message` sends data to the scheduler.
 *
 * When the stream breaks (the agent died or restarts) and the framework checkpoints, the
 * executor subscribes again with backoff, carrying its unacknowledged updates and tasks, for
 * up to the recovery timeout; updates made meanwhile wait for that SUBSCRIBE. If it cannot,
 * or if the framework does not checkpoint, the handler gets a SHUTDOWN (it should kill its
 * tasks and exit) and `run` rejects with `ExecutorDisconnectedError`.
 */
export class Executor {
  private readonly url: string;
  private readonly abort = new AbortController();
  /** A SUBSCRIBE was answered and its stream is open. */
  private connected = false;
  /** Updates the agent has not acknowledged yet, by uuid. */
  readonly unacknowledged = new Map<string, TaskStatus>();
  /** Tasks received none of whose updates the agent has acknowledged yet, by task id. */
  readonly unacknowledgedTasks = new Map<string, TaskInfo>();
  /** How many times the executor subscribed again after losing the agent. */
  resubscriptions = 0;

  constructor(
    readonly env: ExecutorEnvironment,
    private readonly handler: (event: ExecutorEvent, executor: Executor) => void | Promise<void>,
  ) {
    this.url = `http://${env.agentEndpoint}/api/v1/executor`;
  }

  /**
   * Subscribes and handles events until `stop()` or the agent's SHUTDOWN closes the stream;
   * resolves then. Rejects when the first SUBSCRIBE fails, when the handler throws, and with
   * `ExecutorDisconnectedError` when the agent is lost for good (see the class comment).
   */
  async run(): Promise<void> {
    let events: ReadableStream<Uint8Array> | undefined = await this.firstSubscription();
    while (events !== undefined) {
      this.connected = true;
      await this.consume(events);
      this.connected = false;
      if (this.abort.signal.aborted) return;
      events = await this.resubscribe();
      if (events !== undefined) this.resubscriptions++;
    }
  }

  /**
   * The first SUBSCRIBE. An agent that cannot be reached, or that is still recovering (503), is
   * waited for as after a disconnection when the framework checkpoints (the agent may be
   * restarting as the executor starts); any other refusal rejects `run`.
   */
  private async firstSubscription(): Promise<ReadableStream<Uint8Array> | undefined> {
    let response: Response;
    try {
      response = await this.subscribe();
    } catch (error) {
      if (this.env.recovery === undefined || this.abort.signal.aborted) throw error;
      return this.resubscribe();
    }
    if (response.status === 200 && response.body !== null) return response.body;
    const text = await response.text().catch(() => '');
    if (response.status === 503 && this.env.recovery !== undefined) return this.resubscribe();
    throw new ExecutorCallError(response.status, `SUBSCRIBE failed: ${response.status} ${text}`);
  }

  /** Closes the stream and stops any retry: `run` resolves. */
  stop(): void {
    this.abort.abort();
  }

  /**
   * Sends a task's status and resolves once the agent accepted it (202). While the agent is
   * away the status waits in `unacknowledged` for the next SUBSCRIBE, and this resolves at once.
   */
  async update(taskId: string, state: TaskState, fields: Partial<Omit<TaskStatus, 'task_id' | 'state' | 'uuid'>> = {}): Promise<TaskStatus> {
    const status: TaskStatus = { source: 'SOURCE_EXECUTOR', timestamp: Date.now() / 1000, ...fields, task_id: { value: taskId }, state, uuid: randomBytes(16).toString('base64') };
    this.unacknowledged.set(status.uuid!, status);
    if (this.connected) await this.call({ type: 'UPDATE', framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId }, update: { status } });
    return status;
  }

  /** Sends data to the scheduler (a MESSAGE event there); like Mesos, with no delivery guarantee: dropped while the agent is away. */
  async message(data: string): Promise<void> {
    if (this.connected) await this.call({ type: 'MESSAGE', framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId }, message: { data: Buffer.from(data).toString('base64') } });
  }

  private subscribe(): Promise<Response> {
    const call: ExecutorCall = {
      type: 'SUBSCRIBE',
      framework_id: { value: this.env.frameworkId },
      executor_id: { value: this.env.executorId },
      subscribe: { unacknowledged_tasks: [...this.unacknowledgedTasks.values()], unacknowledged_updates: [...this.unacknowledged.values()].map((status) => ({ status })) },
    };
    return fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(call), signal: this.abort.signal });
  }

  /** Hands the stream's events to the handler until the stream ends or breaks; a handler's error propagates. */
  private async consume(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new RecordIoDecoder();
    const chunks = (body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    for (;;) {
      let chunk: IteratorResult<Uint8Array>;
      try {
        chunk = await chunks.next();
      } catch {
        return; // the connection broke
      }
      if (chunk.done === true) return;
      for (const record of decoder.decode(chunk.value)) {
        const parsed = decodeExecutorEvent(JSON.parse(new TextDecoder().decode(record)));
        if (!parsed.ok) throw new Error(`Invalid executor event: ${parsed.error}`);
        await this.receive(parsed.value);
      }
    }
  }

  private async receive(event: ExecutorEvent): Promise<void> {
    if (event.type === 'LAUNCH') this.unacknowledgedTasks.set(event.launch!.task.task_id.value, event.launch!.task);
    if (event.type === 'LAUNCH_GROUP') for (const task of event.launch_group!.task_group.tasks) this.unacknowledgedTasks.set(task.task_id.value, task);
    if (event.type === 'ACKNOWLEDGED') {
      this.unacknowledged.delete(event.acknowledged!.uuid);
      // A task is acknowledged once any of its updates is (docs/executor-http-api.md, SUBSCRIBE).
      this.unacknowledgedTasks.delete(event.acknowledged!.task_id.value);
    }
    await this.handler(event, this);
  }

  /**
   * After the stream broke: SUBSCRIBE again until the agent takes it, with waits doubling from
   * 100 ms up to half of `MESOS_SUBSCRIPTION_BACKOFF_MAX` (each wait must stay within it, and
   * half leaves two attempts inside the restarted agent's `--executor_reregistration_timeout`),
   * for up to `MESOS_RECOVERY_TIMEOUT`. Resolves undefined if stopped meanwhile.
   */
  private async resubscribe(): Promise<ReadableStream<Uint8Array> | undefined> {
    const recovery = this.env.recovery;
    if (recovery === undefined) return this.giveUp(`Lost the agent at ${this.env.agentEndpoint}; the framework does not checkpoint, so the executor does not wait for it`);
    const deadline = Date.now() + recovery.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const waitMs = Math.min(FIRST_RETRY_MS * 2 ** attempt, recovery.backoffMaxMs / 2, deadline - Date.now());
      try {
        if (waitMs > 0) await sleep(waitMs, undefined, { signal: this.abort.signal });
        const response = await this.subscribe();
        if (response.status === 200 && response.body !== null) return response.body;
        await response.body?.cancel();
      } catch {
        // Refused (the agent is not back yet), or stopped.
      }
      if (this.abort.signal.aborted) return undefined;
      if (Date.now() >= deadline) break;
    }
    return this.giveUp(`Could not subscribe again with the agent at ${this.env.agentEndpoint} within the recovery timeout (${recovery.timeoutMs} ms)`);
  }

  /** The handler gets a SHUTDOWN (it kills its tasks); then `run` rejects. */
  private async giveUp(message: string): Promise<never> {
    await this.handler({ type: 'SHUTDOWN' }, this);
    throw new ExecutorDisconnectedError(message);
  }

  private async call(call: ExecutorCall): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
    } catch {
      // The agent went away meanwhile: an update waits in `unacknowledged` for the next SUBSCRIBE; a message is lost.
      return;
    }
    if (response.status !== 202) throw new ExecutorCallError(response.status, `${call.type} failed: ${response.status} ${await response.text().catch(() => '')}`);
  }
}
