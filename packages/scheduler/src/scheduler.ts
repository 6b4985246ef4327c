import {
  decodeSchedulerEvent,
  type Filters,
  type FrameworkInfo,
  type OfferOperation,
  RecordIoDecoder,
  type SchedulerCall,
  type SchedulerEvent,
  type TaskInfo,
  type TaskStatus,
} from '@ts-mesos/protocol';
import { detectMaster, isZkUrl, type LeadingMaster, type MasterDetector, parseZkUrl } from '@ts-mesos/zk-election';
import { Backoff } from './backoff.js';
import { PipelinedConnection } from './pipelined-http.js';
import { openStream } from './event-stream.js';

/** What the scheduler's handler receives: the master's events, and the connection's own. */
/** DISCONNECTED: not subscribed (again) yet, and why; `status` when the master answered SUBSCRIBE with an error (a 4xx will not change by retrying). */
export type SchedulerNotice = SchedulerEvent | { readonly type: 'DISCONNECTED'; readonly reason: string; readonly status?: number };

export interface SchedulerOptions {
  /**
   * `host:port`, `http://host:port`, a full `http://host:port/api/v1/scheduler` URL, or
   * `zk://host:port,.../path` to follow the leading master through ZooKeeper.
   */
  readonly master: string;
  readonly framework: FrameworkInfo;
  /** Acknowledge UPDATE events that carry a uuid once the handler returned (default true). */
  readonly autoAcknowledge?: boolean;
  /** Missed heartbeats tolerated before reconnecting (default 2: after 2 x the interval). */
  readonly heartbeatGraceFactor?: number;
  readonly backoff?: Backoff;
}

/** A call the master answered with something other than 202: its status and message. */
export class SchedulerCallError extends Error {
  readonly _tag = 'SchedulerCallError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type CallBody = Omit<SchedulerCall, 'framework_id'>;

/** The endpoint URL for a `--master` value. */
export function schedulerUrl(master: string): string {
  const base = /^https?:\/\//.test(master) ? master : `http://${master}`;
  return base.includes('/api/v1/scheduler') ? base : `${base.replace(/\/$/, '')}/api/v1/scheduler`;
}

/** Why `master` (as `SchedulerOptions.master` takes it) cannot be a master's address, or undefined. */
export function masterAddressError(master: string): string | undefined {
  if (isZkUrl(master)) {
    const parsed = parseZkUrl(master);
    return parsed.ok ? undefined : parsed.error;
  }
  let url: URL;
  try {
    url = new URL(schedulerUrl(master));
  } catch {
    return `'${master}' is not host:port, a URL or a zk:// URL`;
  }
  if (url.port === '' && !/^https?:\/\//.test(master)) return `'${master}' names no port: expected host:port`;
  return undefined;
}

/**
 * A framework's connection to the master over the v1 Scheduler HTTP API
 * (docs/scheduler-http-api.md). It subscribes and keeps subscribing: when the stream ends,
 * fails, or heartbeats stop, it waits with backoff and subscribes again with its framework
 * ID (a failover, so its tasks keep running). Calls carry the framework ID and the
 * `Mesos-Stream-Id` of the current subscription. Redirects (307) to a new leader are followed.
 */
export class Scheduler {
  frameworkId: string | undefined;
  private streamId: string | undefined;
  /** The HTTP status of the last SUBSCRIBE the master refused, for the DISCONNECTED notice. */
  private refusedStatus: number | undefined;
  private url: string;
  private running = false;
  private abort: AbortController | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private heartbeatMs = 15_000;
  private readonly backoff: Backoff;
  private connected: Promise<void> | undefined;
  private detector: MasterDetector | undefined;
  /** Resolves the wait for a leader when one is detected. */
  private leaderFound: (() => void) | undefined;
  /** Cuts the reconnection backoff short (a new leader was detected). */
  private wake: (() => void) | undefined;
  /**
   * Calls go over one kept-alive, pipelined connection per master (see pipelined-http.ts):
   * `fetch` cost about as much CPU per call as the master's whole handling of it, and a launch
   * acknowledges every status update of every task.
   */
  private readonly connections = new Map<string, PipelinedConnection>();

  constructor(
    private readonly options: SchedulerOptions,
    private readonly handler: (notice: SchedulerNotice, scheduler: Scheduler) => void | Promise<void>,
  ) {
    this.url = isZkUrl(options.master) ? '' : schedulerUrl(options.master);
    this.frameworkId = options.framework.id?.value;
    this.backoff = options.backoff ?? new Backoff();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connected = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.leaderFound?.();
    this.wake?.();
    this.detector?.close();
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    await this.connected;
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  /** With `zk://`: the leading master's scheduler endpoint, waiting while none leads. */
  private async leaderUrl(): Promise<string | undefined> {
    if (this.detector === undefined) {
      const detector = await detectMaster(this.options.master);
      if (!this.running) {
        detector.close(); // stopped while ZooKeeper was being reached
        return undefined;
      }
      this.detector = detector;
      detector.on('leader', (leader) => this.leaderChanged(leader));
    }
    while (this.running && this.detector.leader === undefined) await new Promise<void>((resolve) => (this.leaderFound = resolve));
    const leader = this.detector.leader;
    return leader === undefined ? undefined : schedulerUrl(`${leader.host}:${leader.port}`);
  }

  private leaderChanged(leader: LeadingMaster | undefined): void {
    if (leader === undefined) return;
    this.leaderFound?.();
    this.backoff.reset();
    this.wake?.();
    // Subscribed to another master: that one no longer leads, so subscribe to the new leader.
    if (this.url !== schedulerUrl(`${leader.host}:${leader.port}`)) this.abort?.abort(new Error(`A new master leads: ${leader.pid}`));
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let reason: string;
      this.refusedStatus = undefined;
      try {
        if (isZkUrl(this.options.master)) {
          const url = await this.leaderUrl();
          if (url === undefined) return;
          this.url = url;
        }
        reason = await this.subscribeOnce();
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (this.watchdog !== undefined) clearTimeout(this.watchdog);
      this.streamId = undefined;
      if (!this.running) return;
      await this.notify({ type: 'DISCONNECTED', reason, ...(this.refusedStatus === undefined ? {} : { status: this.refusedStatus }) });
      if (!this.running) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.backoff.next());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One subscription, until it ends; resolves with why it ended. */
  private async subscribeOnce(): Promise<string> {
    this.abort = new AbortController();
    // The master wants the call's framework_id equal to the FrameworkInfo's ID (both or neither).
    const id = this.frameworkId ?? (this.options.framework.id?.value || undefined);
    const framework: FrameworkInfo = { ...this.options.framework, ...(id === undefined ? {} : { id: { value: id } }) };
    const call: SchedulerCall = { type: 'SUBSCRIBE', subscribe: { framework_info: framework }, ...(id === undefined ? {} : { framework_id: { value: id } }) };
    const response = await openStream(this.url, JSON.stringify(call), this.abort.signal);
    if (response.url !== this.url) this.url = response.url;
    if (response.status !== 200) {
      const text = await response.text().catch(() => '');
      if (response.status === 403 && text.includes('removed')) {
        // The framework is gone for good: subscribing again would not bring it back.
        this.running = false;
        await this.notify({ type: 'ERROR', error: { message: text } });
      }
      this.refusedStatus = response.status;
      return `SUBSCRIBE answered ${response.status}: ${text}`;
    }
    this.streamId = response.streamId;
    const decoder = new RecordIoDecoder();
    const text = new TextDecoder();
    this.armWatchdog();
    try {
      for await (const chunk of response.body) {
        this.armWatchdog();
        for (const record of decoder.decode(chunk)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text.decode(record));
          } catch {
            await this.notify({ type: 'ERROR', error: { message: 'Received an event that is not JSON' } });
            continue;
          }
          const event = decodeSchedulerEvent(parsed);
          if (!event.ok) {
            await this.notify({ type: 'ERROR', error: { message: `Received an invalid event: ${event.error}` } });
            continue;
          }
          await this.receive(event.value);
          if (!this.running) return 'stopped';
        }
      }
    } catch (error) {
      // Aborted (the watchdog, a new leader): say why, not how the stream broke.
      const signal = this.abort.signal;
      const reason: unknown = signal.aborted && signal.reason !== undefined ? signal.reason : error;
      return this.running ? `Event stream failed: ${reason instanceof Error ? reason.message : String(reason)}` : 'stopped';
    }
    return 'The master closed the event stream';
  }

  private armWatchdog(): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    const graceMs = this.heartbeatMs * (this.options.heartbeatGraceFactor ?? 2);
    this.watchdog = setTimeout(() => this.abort?.abort(new Error(`No event or heartbeat for ${graceMs} ms`)), graceMs);
    this.watchdog.unref();
  }

  private async receive(event: SchedulerEvent): Promise<void> {
    if (event.type === 'SUBSCRIBED' && event.subscribed !== undefined) {
      this.frameworkId = event.subscribed.framework_id.value;
      this.heartbeatMs = (event.subscribed.heartbeat_interval_seconds ?? 15) * 1000;
      this.backoff.reset();
      this.armWatchdog();
    }
    await this.notify(event);
    if (event.type === 'ERROR') {
      // Mesos sends ERROR when the framework was removed or failed over elsewhere: stop.
      this.running = false;
      this.abort?.abort();
    }
    const status = event.update?.status;
    if (event.type === 'UPDATE' && status?.uuid !== undefined && this.options.autoAcknowledge !== false && this.running) {
      // Sent, not waited for: the next events need not queue behind the round trip (1,000
      // tasks make 3,000 acknowledgements). The update was handled before it is acknowledged.
      void this.acknowledge(status).catch((error: unknown) => (this.running ? this.notify({ type: 'ERROR', error: { message: `Acknowledgement failed: ${String(error)}` } }) : undefined));
    }
  }

  private async notify(notice: SchedulerNotice): Promise<void> {
    try {
      await this.handler(notice, this);
    } catch (error) {
      // A handler's failure is the framework's bug; the connection must survive it.
      process.emitWarning(`Scheduler handler threw on ${notice.type}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Sends a call (framework ID and stream ID added); rejects with `SchedulerCallError` unless 202. */
  async call(call: CallBody): Promise<void> {
    if (this.frameworkId === undefined) throw new SchedulerCallError(0, `Cannot send ${call.type} before SUBSCRIBED`);
    const headers = { 'content-type': 'application/json', ...(this.streamId === undefined ? {} : { 'mesos-stream-id': this.streamId }) };
    const { status, text } = await this.post(this.url, JSON.stringify({ ...call, framework_id: { value: this.frameworkId } }), headers);
    if (status !== 202 && status !== 200) throw new SchedulerCallError(status, text === '' ? `${call.type} answered ${status}` : text);
  }

  /** POSTs a body; follows up to `redirects` 307/308 answers (a standby sends calls to the leader), as fetch would. */
  private async post(url: string, body: string, headers: Readonly<Record<string, string>>, redirects = 5): Promise<{ status: number; text: string }> {
    if (!url.startsWith('http:')) {
      const response = await fetch(url, { method: 'POST', headers, body });
      return { status: response.status, text: await response.text() };
    }
    const target = new URL(url);
    const port = target.port === '' ? 80 : Number(target.port);
    const origin = `${target.hostname}:${port}`;
    let connection = this.connections.get(origin);
    if (connection === undefined) {
      connection = new PipelinedConnection(target.hostname.replace(/^\[|\]$/g, ''), port);
      this.connections.set(origin, connection);
    }
    const reply = await connection.post(`${target.pathname}${target.search}`, headers, body);
    const answer = { status: reply.status, text: reply.text, location: reply.headers['location'] };
    if ((answer.status === 307 || answer.status === 308) && answer.location !== undefined && redirects > 0) return this.post(new URL(answer.location, url).toString(), body, headers, redirects - 1);
    return { status: answer.status, text: answer.text };
  }

  accept(offerIds: readonly string[], operations: OfferOperation[], filters?: Filters): Promise<void> {
    return this.call({ type: 'ACCEPT', accept: { offer_ids: offerIds.map((value) => ({ value })), operations, ...(filters === undefined ? {} : { filters }) } });
  }

  launch(offerIds: readonly string[], tasks: TaskInfo[], filters?: Filters): Promise<void> {
    return this.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters);
  }

  decline(offerIds: readonly string[], filters?: Filters): Promise<void> {
    return this.call({ type: 'DECLINE', decline: { offer_ids: offerIds.map((value) => ({ value })), ...(filters === undefined ? {} : { filters }) } });
  }

  revive(roles?: string[]): Promise<void> {
    return this.call({ type: 'REVIVE', ...(roles === undefined ? {} : { revive: { roles } }) });
  }

  suppress(roles?: string[]): Promise<void> {
    return this.call({ type: 'SUPPRESS', ...(roles === undefined ? {} : { suppress: { roles } }) });
  }

  kill(taskId: string, agentId?: string): Promise<void> {
    return this.call({ type: 'KILL', kill: { task_id: { value: taskId }, ...(agentId === undefined ? {} : { agent_id: { value: agentId } }) } });
  }

  acknowledge(status: TaskStatus): Promise<void> {
    if (status.uuid === undefined || status.agent_id === undefined) return Promise.resolve();
    return this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  /** Explicit reconciliation of the tasks named, or implicit (all tasks) when none are. */
  reconcile(tasks: readonly { taskId: string; agentId?: string }[] = []): Promise<void> {
    return this.call({
      type: 'RECONCILE',
      reconcile: { tasks: tasks.map((t) => ({ task_id: { value: t.taskId }, ...(t.agentId === undefined ? {} : { agent_id: { value: t.agentId } }) })) },
    });
  }

  message(agentId: string, executorId: string, data: string): Promise<void> {
    return this.call({ type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data } });
  }

  shutdown(executorId: string, agentId: string): Promise<void> {
    return this.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: executorId }, agent_id: { value: agentId } } });
  }

  /** Removes the framework: its tasks are killed and it cannot subscribe again. */
  async teardown(): Promise<void> {
    await this.call({ type: 'TEARDOWN' });
    await this.stop();
  }
}
