import { type Clock, SystemClock, type Timer } from './clock.js';
import { ProcessNotFoundError, ProcessTerminatedError, RuntimeNotStartedError } from './errors.js';
import { Http, type HttpRequest, type HttpResponse, type Route } from './http.js';
import { helpResponse } from './help.js';
import { defaultLogger, type Logger } from './logger.js';
import { MessageFilters } from './message-filter.js';
import type { Process } from './process.js';
import { type Random, SystemRandom } from './random.js';
import { Queue } from './queue.js';
import type { Address, Transport, TransportSink } from './transport.js';
import { LogLimiter } from './log-limiter.js';
import { addressKey, type Pid, Upid } from './upid.js';
import { VirtualClock } from './virtual-clock.js';

export interface RuntimeOptions {
  readonly transport: Transport;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  /**
   * The process that also answers HTTP paths naming no process: with delegate `master`,
   * `/state` reaches the same handler as `/master/state` (as libprocess's delegate does).
   */
  readonly delegate?: string;
  /**
   * Events waiting in mailboxes above which the transport stops reading (default 8,192): a
   * backlog held in the heap is copied by every young-generation collection; in the kernel's
   * socket buffers and the senders it costs this process nothing.
   */
  readonly highWaterEvents?: number;
  /**
   * Milliseconds of real time the runtime may keep the event loop before yielding to I/O
   * (default 10). The simulator passes Infinity: a yield decided by the wall clock would make
   * the order of events depend on the machine's speed.
   */
  readonly sliceMs?: number;
}

type Event =
  | { readonly kind: 'initialize' }
  | { readonly kind: 'message'; readonly from: Upid; readonly name: string; readonly body: unknown; readonly remote: boolean }
  | {
      readonly kind: 'dispatch';
      readonly fn: (process: Process) => unknown;
      readonly resolve: (value: unknown) => void;
      readonly reject: (error: unknown) => void;
    }
  | { readonly kind: 'http'; readonly route: Route; readonly request: HttpRequest; readonly resolve: (r: HttpResponse) => void }
  | { readonly kind: 'exited'; readonly pid: Upid }
  | { readonly kind: 'terminate' };

/** The runtime's record of one spawned process. */
interface Cell {
  readonly process: Process;
  readonly pid: Upid;
  readonly mailbox: Queue<Event>;
  /** Waiting for a handler's promise; no further event runs until it settles. */
  busy: boolean;
  /** In the run queue. */
  queued: boolean;
  terminating: boolean;
  dead: boolean;
  readonly timers: Set<Timer>;
  /** Local processes linked to this one. */
  readonly linkers: Set<Cell>;
  /** Upids (as strings) this process linked to. */
  readonly links: Map<string, Upid>;
  /** Peer runtimes (address keys) with a process linked to this one. */
  readonly remoteLinkers: Set<string>;
  readonly onDead: (() => void)[];
}

interface RemoteLink {
  readonly pid: Upid;
  readonly linkers: Set<Cell>;
}

/** Events one process may handle before the next ready process gets its turn. */
const FAIR_BATCH = 256;
/** Milliseconds the runtime may keep the event loop before yielding to I/O (`RuntimeOptions.sliceMs`). */
const SLICE_MS = 10;
/** Events handled between two readings of the clock against the slice. */
const SLICE_CHECK_EVERY = 16;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function errorFields(error: unknown): object {
  return error instanceof Error ? { err: { message: error.message, stack: error.stack } } : { err: String(error) };
}

/**
 * Hosts processes. A runtime is a value built from its `Transport`, `Clock` and `Random`:
 * there is no global one, so a test or the simulator can run many in one OS process.
 *
 * Each process handles one event at a time, in order; between any sender and receiver,
 * messages arrive in the order they were sent (locally always, remotely while the
 * connection between the two runtimes stays up).
 */
export class Runtime {
  readonly clock: Clock;
  /** Dropped messages are logged at most 20 times in 10 s per sending runtime (see LogLimiter). */
  private readonly dropLog = new LogLimiter(20, 10_000);
  readonly random: Random;
  readonly filters = new MessageFilters();
  private logger: Logger;
  private readonly transport: Transport;
  private readonly delegate: string | undefined;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly sliceMs: number;
  private bound: Address | undefined;
  private readonly processes = new Map<string, Cell>();
  private readonly runQueue = new Queue<Cell>(64);
  private readonly idCounters = new Map<string, number>();
  private readonly remoteLinks = new Map<string, RemoteLink>();
  private readonly remoteLinksByPeer = new Map<string, Set<string>>();
  private idleWaiters: (() => void)[] = [];
  private scheduled = false;
  private busyCount = 0;
  private backlog = 0;
  private paused = false;
  private anonymousPid: Upid | undefined;
  /** Keyed by the transport's stable per-peer Address objects; emptied when a peer disconnects. */
  private readonly remoteUpids = new Map<Address, Map<string, Upid>>();

  constructor(options: RuntimeOptions) {
    this.transport = options.transport;
    this.clock = options.clock ?? new SystemClock();
    this.random = options.random ?? new SystemRandom();
    this.logger = options.logger ?? defaultLogger();
    this.delegate = options.delegate;
    this.highWater = options.highWaterEvents ?? 8192;
    this.lowWater = Math.floor(this.highWater / 2);
    this.sliceMs = options.sliceMs ?? SLICE_MS;
  }

  /** The bound address; only after `start`. */
  get address(): Address {
    return this.requireAddress('read its address');
  }

  get started(): boolean {
    return this.bound !== undefined;
  }

  /** Binds the transport (listens) and returns the address processes will be known by. */
  async start(): Promise<Address> {
    if (this.bound !== undefined) return this.bound;
    const sink: TransportSink = {
      received: (from, fromId, toId, name, body) => this.received(from, fromId, toId, name, body),
      disconnected: (peer, reason) => this.disconnected(peer, reason),
      request: (request) => this.request(request),
    };
    this.bound = await this.transport.listen(sink);
    this.logger = this.logger.child({ runtime: addressKey(this.bound) });
    this.anonymousPid = Upid.at('', this.bound);
    return this.bound;
  }

  /** Terminates every process, waits for them to finish, and closes the transport. */
  async stop(): Promise<void> {
    const cells = [...this.processes.values()];
    for (const cell of cells) this.terminate(cell.pid);
    await Promise.all(cells.map((cell) => this.wait(cell.pid)));
    await this.transport.close();
  }

  /** A fresh id for a process: `prefix(1)`, `prefix(2)`, ... (`slave(1)`). */
  generateId(prefix: string): string {
    const next = (this.idCounters.get(prefix) ?? 0) + 1;
    this.idCounters.set(prefix, next);
    return `${prefix}(${next})`;
  }

  spawn<P extends Process>(process: P): Pid<P> {
    const address = this.requireAddress('spawn a process');
    if (this.processes.has(process.id)) {
      throw new Error(`Cannot spawn process '${process.id}': a process with that id already runs here`);
    }
    const pid = Upid.at(process.id, address);
    const cell: Cell = {
      process,
      pid,
      mailbox: new Queue<Event>(),
      busy: false,
      queued: false,
      terminating: false,
      dead: false,
      timers: new Set(),
      linkers: new Set(),
      links: new Map(),
      remoteLinkers: new Set(),
      onDead: [],
    };
    this.processes.set(process.id, cell);
    process.bind({ runtime: this, pid, logger: this.logger.child({ pid: pid.toString() }) });
    this.enqueue(cell, { kind: 'initialize' });
    return pid;
  }

  /**
   * Stops a process. With `inject` (the default) it stops after its current event and the
   * events still queued are discarded; without, it stops once it reaches the end of its queue
   * as it is now. Returns false when no such process runs here.
   */
  terminate(pid: Upid, inject = true): boolean {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.dead) return false;
    if (inject) {
      cell.terminating = true;
      this.makeReady(cell);
    } else {
      this.enqueue(cell, { kind: 'terminate' });
    }
    return true;
  }

  /** Resolves once the process has terminated (at once when it is not running here). */
  wait(pid: Upid): Promise<void> {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.dead) return Promise.resolve();
    return new Promise((resolve) => cell.onDead.push(resolve));
  }

  /** True when a process with this pid runs in this runtime. */
  hosts(pid: Upid): boolean {
    const cell = this.localCell(pid);
    return cell !== undefined && !cell.dead;
  }

  /**
   * Sends a message. Local receivers get it in their mailbox; remote ones through the
   * transport. Returns false when the transport dropped it because the peer's queue is
   * full; `writable(to)` resolves when it would accept again.
   */
  send(from: Upid | undefined, to: Upid, name: string, body: unknown): boolean {
    const address = this.requireAddress('send a message');
    if (to.port === address.port && to.host === address.host) {
      this.deliver(to.id, from ?? this.anonymousPid!, name, body, false);
      return true;
    }
    return this.transport.send(to.address, from?.id ?? '', to.id, name, body);
  }

  /** Resolves when a send to `to`'s runtime would be accepted (see `send`). */
  writable(to: Upid): Promise<void> {
    const address = this.requireAddress('wait for a peer');
    if (to.port === address.port && to.host === address.host) return Promise.resolve();
    return this.transport.writable(to.address);
  }

  /** Runs `fn` inside the process (between its other events) and resolves with its result. */
  dispatch<P, R>(pid: Pid<P>, fn: (process: P) => R | Promise<R>): Promise<Awaited<R>> {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.dead || cell.terminating) {
      return Promise.reject(new ProcessNotFoundError(pid));
    }
    return new Promise<Awaited<R>>((resolve, reject) => {
      this.enqueue(cell, {
        kind: 'dispatch',
        fn: fn as (process: Process) => unknown,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  /** Arms a timer that runs `fn` inside the process; used by `Process.delay`. */
  delayFor(pid: Upid, delayMs: number, fn: () => void | Promise<void>): Timer {
    const cell = this.localCell(pid);
    if (cell === undefined || cell.dead) throw new ProcessNotFoundError(pid);
    const timer = this.clock.setTimer(delayMs, () => {
      cell.timers.delete(timer);
      if (cell.dead) return;
      this.enqueue(cell, {
        kind: 'dispatch',
        fn,
        resolve: () => undefined,
        reject: (error) => this.logger.error({ ...errorFields(error), pid: pid.toString() }, 'Delayed call failed'),
      });
    });
    cell.timers.add(timer);
    return {
      cancel: () => {
        timer.cancel();
        cell.timers.delete(timer);
      },
    };
  }

  /** `linker` (a local process) gets an exited event when `to` terminates or becomes unreachable. */
  link(linker: Upid, to: Upid): void {
    const cell = this.localCell(linker);
    if (cell === undefined || cell.dead) throw new ProcessNotFoundError(linker);
    const key = to.toString();
    if (cell.links.has(key)) return;
    cell.links.set(key, to);
    if (this.isLocal(to)) {
      const target = this.processes.get(to.id);
      if (target === undefined || target.dead) {
        this.enqueue(cell, { kind: 'exited', pid: to });
        cell.links.delete(key);
      } else {
        target.linkers.add(cell);
      }
      return;
    }
    let entry = this.remoteLinks.get(key);
    if (entry === undefined) {
      entry = { pid: to, linkers: new Set() };
      this.remoteLinks.set(key, entry);
      const peer = addressKey(to.address);
      let onPeer = this.remoteLinksByPeer.get(peer);
      if (onPeer === undefined) {
        onPeer = new Set();
        this.remoteLinksByPeer.set(peer, onPeer);
      }
      onPeer.add(key);
      this.transport.send(to.address, '', '', 'link', to.id);
    }
    entry.linkers.add(cell);
  }

  unlink(linker: Upid, to: Upid): void {
    const cell = this.localCell(linker);
    if (cell === undefined) return;
    const key = to.toString();
    if (!cell.links.delete(key)) return;
    if (this.isLocal(to)) {
      this.processes.get(to.id)?.linkers.delete(cell);
    } else {
      this.remoteLinks.get(key)?.linkers.delete(cell);
    }
  }

  /** Resolves once no process has work queued or running. */
  async settle(): Promise<void> {
    for (;;) {
      while (!this.idle()) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      // Let promise reactions and I/O callbacks that are already due land, then look again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.idle()) return;
    }
  }

  /**
   * On a `VirtualClock`: moves time forward by `ms`, one timer at a time, settling after each
   * so that work a timer starts runs (and may arm further timers) before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof VirtualClock)) throw new Error('Runtime.advance needs a VirtualClock');
    const end = clock.now() + ms;
    await this.settle();
    for (;;) {
      const due = clock.nextDue();
      if (due === undefined || due > end) break;
      clock.advanceTo(due);
      await this.settle();
    }
    clock.advanceTo(end);
    await this.settle();
  }

  /** How many events wait in one process's mailbox (0 when it does not run here). */
  mailboxSize(pid: Upid): number {
    return this.localCell(pid)?.mailbox.length ?? 0;
  }

  /**
   * What waits in one process's mailbox, by kind (Mesos's `event_queue_messages`,
   * `event_queue_dispatches` and `event_queue_http_requests`); zeros when it does not run here.
   */
  mailboxCounts(pid: Upid): { messages: number; dispatches: number; httpRequests: number } {
    const counts = { messages: 0, dispatches: 0, httpRequests: 0 };
    const cell = this.localCell(pid);
    if (cell === undefined) return counts;
    for (const event of cell.mailbox) {
      if (event.kind === 'message' || event.kind === 'exited') counts.messages++;
      else if (event.kind === 'dispatch') counts.dispatches++;
      else if (event.kind === 'http') counts.httpRequests++;
    }
    return counts;
  }

  /** How many events wait in all mailboxes. */
  get queuedEvents(): number {
    return this.backlog;
  }

  /** The ids of the processes running here. */
  processIds(): string[] {
    return [...this.processes.keys()];
  }

  // ---- delivery ---------------------------------------------------------------------------

  private deliver(toId: string, from: Upid, name: string, body: unknown, remote: boolean): void {
    const cell = this.processes.get(toId);
    if (cell === undefined || cell.dead) {
      this.warnDropped(addressKey(from), { from: from.toString(), to: toId, name, remote }, `Dropped message '${name}' from '${from.toString()}': no process '${toId}' here`);
      return;
    }
    if (this.filters.active) {
      const verdict = this.filters.decide({ from, to: cell.pid, name, body, remote });
      if (verdict === 'drop') {
        this.logger.debug({ from: from.toString(), to: toId, name }, 'Message dropped by a test filter');
        return;
      }
      if (verdict !== 'deliver') {
        this.clock.setTimer(verdict.delayMs, () => this.enqueue(cell, { kind: 'message', from, name, body, remote }));
        return;
      }
    }
    this.enqueue(cell, { kind: 'message', from, name, body, remote });
  }

  private enqueue(cell: Cell, event: Event): void {
    if (cell.dead) {
      this.discard(cell, event);
      return;
    }
    cell.mailbox.push(event);
    this.backlog += 1;
    this.makeReady(cell);
  }

  private makeReady(cell: Cell): void {
    if (cell.queued || cell.busy) return;
    cell.queued = true;
    this.runQueue.push(cell);
    if (!this.scheduled) {
      this.scheduled = true;
      // With a slice, events run after the I/O that is ready now has been read (the check
      // phase), a slice at a time, so a burst of input cannot hold timers and other sockets
      // back for longer than one slice. The simulator (no slice) runs them at once.
      if (this.sliceMs === Infinity) queueMicrotask(this.pump);
      else setImmediate(this.pump);
    }
  }

  private readonly pump = (): void => {
    // Without a slice (the simulator) the wall clock is not even read.
    const sliced = this.sliceMs !== Infinity;
    const started = sliced ? performance.now() : 0;
    let sinceCheck = 0;
    for (;;) {
      const cell = this.runQueue.shift();
      if (cell === undefined) break;
      cell.queued = false;
      let handled = 0;
      let late = false;
      while (!cell.busy && !cell.dead && handled < FAIR_BATCH) {
        if (cell.terminating) {
          this.die(cell);
          break;
        }
        const event = cell.mailbox.shift();
        if (event === undefined) break;
        this.backlog -= 1;
        handled += 1;
        this.handle(cell, event);
        if (sliced && ++sinceCheck >= SLICE_CHECK_EVERY) {
          sinceCheck = 0;
          if (performance.now() - started > this.sliceMs) {
            late = true;
            break;
          }
        }
      }
      if (!cell.busy && !cell.dead && (cell.mailbox.length > 0 || cell.terminating)) {
        cell.queued = true;
        this.runQueue.push(cell);
      }
      if (late) {
        // Keep `scheduled` set: the rest runs after pending I/O and due timers.
        setImmediate(this.pump);
        this.afterPump();
        return;
      }
    }
    this.scheduled = false;
    this.afterPump();
  };

  private afterPump(): void {
    if (this.paused && this.backlog <= this.lowWater) {
      this.paused = false;
      this.transport.resume();
    }
    if (this.idle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private idle(): boolean {
    return !this.scheduled && this.busyCount === 0 && this.runQueue.length === 0;
  }

  private handle(cell: Cell, event: Event): void {
    const process = cell.process;
    switch (event.kind) {
      case 'message':
        this.handleMessage(cell, event);
        return;
      case 'dispatch':
        this.run(cell, () => event.fn(process), event.resolve, event.reject);
        return;
      case 'http':
        this.run(
          cell,
          () => event.route.handler(event.request),
          (response) => event.resolve(response as HttpResponse),
          (error) => {
            this.logger.error(
              { ...errorFields(error), path: event.request.path, pid: cell.pid.toString() },
              `Endpoint '${event.request.path}' failed`,
            );
            const message = error instanceof Error ? error.message : String(error);
            event.resolve(Http.internalError(`Endpoint '${event.request.path}' failed: ${message}`));
          },
        );
        return;
      case 'exited':
        this.run(cell, () => process['exited'](event.pid), undefined, (error) =>
          this.logger.error({ ...errorFields(error), pid: cell.pid.toString() }, 'exited() failed'),
        );
        return;
      case 'initialize':
        this.run(cell, () => process['initialize'](), undefined, (error) =>
          this.logger.error({ ...errorFields(error), pid: cell.pid.toString() }, `Process '${cell.pid.id}' failed to initialize`),
        );
        return;
      case 'terminate':
        cell.terminating = true;
        return;
    }
  }

  /** The hot path: no closures unless the handler turns out to be asynchronous. */
  private handleMessage(cell: Cell, event: Extract<Event, { kind: 'message' }>): void {
    const installed = cell.process.handlers.get(event.name);
    if (installed === undefined) {
      this.warnDropped(addressKey(event.from), { from: event.from.toString(), to: cell.pid.toString(), name: event.name }, `Dropped message '${event.name}' from '${event.from.toString()}': '${cell.pid.id}' has no handler for it`);
      return;
    }
    let body = event.body;
    if (event.remote && installed.decode !== undefined) {
      const decoded = installed.decode(body);
      if (!decoded.ok) {
        this.warnDropped(addressKey(event.from), { from: event.from.toString(), to: cell.pid.toString(), name: event.name, error: decoded.error }, `Dropped message '${event.name}' from '${event.from.toString()}': ${decoded.error}`);
        return;
      }
      body = decoded.value;
    }
    let result: unknown;
    try {
      result = installed.handler(event.from, body);
    } catch (error) {
      this.handlerFailed(cell, event, error);
      return;
    }
    if (isThenable(result)) this.hold(cell, result, undefined, (error) => this.handlerFailed(cell, event, error));
  }

  private handlerFailed(cell: Cell, event: Extract<Event, { kind: 'message' }>, error: unknown): void {
    this.logger.error(
      { ...errorFields(error), from: event.from.toString(), to: cell.pid.toString(), name: event.name },
      `Handler for '${event.name}' failed in '${cell.pid.id}'`,
    );
  }

  /** Runs one handler; a returned promise holds the process's next event until it settles. */
  private run(
    cell: Cell,
    body: () => unknown,
    onValue: ((value: unknown) => void) | undefined,
    onError: (error: unknown) => void,
  ): void {
    let result: unknown;
    try {
      result = body();
    } catch (error) {
      onError(error);
      return;
    }
    if (!isThenable(result)) {
      onValue?.(result);
      return;
    }
    this.hold(cell, result, onValue, onError);
  }

  /** Holds the process's next event until `result` settles. */
  private hold(
    cell: Cell,
    result: PromiseLike<unknown>,
    onValue: ((value: unknown) => void) | undefined,
    onError: (error: unknown) => void,
  ): void {
    cell.busy = true;
    this.busyCount += 1;
    const done = (): void => {
      cell.busy = false;
      this.busyCount -= 1;
      if (cell.mailbox.length > 0 || cell.terminating) {
        this.makeReady(cell);
      } else {
        this.afterPump();
      }
    };
    result.then(
      (value) => {
        done();
        onValue?.(value);
      },
      (error: unknown) => {
        done();
        onError(error);
      },
    );
  }

  private die(cell: Cell): void {
    cell.dead = true;
    this.processes.delete(cell.pid.id);
    try {
      cell.process['finalize']();
    } catch (error) {
      this.logger.error({ ...errorFields(error), pid: cell.pid.toString() }, 'finalize() failed');
    }
    for (const timer of cell.timers) timer.cancel();
    cell.timers.clear();
    for (let event = cell.mailbox.shift(); event !== undefined; event = cell.mailbox.shift()) {
      this.backlog -= 1;
      this.discard(cell, event);
    }
    for (const linker of cell.linkers) {
      linker.links.delete(cell.pid.toString());
      this.enqueue(linker, { kind: 'exited', pid: cell.pid });
    }
    cell.linkers.clear();
    for (const peer of cell.remoteLinkers) {
      const [host, port] = splitKey(peer);
      this.transport.send({ host, port }, '', '', 'exited', cell.pid.id);
    }
    for (const [key, to] of cell.links) {
      if (this.isLocal(to)) this.processes.get(to.id)?.linkers.delete(cell);
      else this.remoteLinks.get(key)?.linkers.delete(cell);
    }
    for (const resolve of cell.onDead) resolve();
    cell.onDead.length = 0;
  }

  /** Answers an event that will never run. */
  private discard(cell: Cell, event: Event): void {
    if (event.kind === 'dispatch') event.reject(new ProcessTerminatedError(cell.pid));
    else if (event.kind === 'http') {
      event.resolve(Http.serviceUnavailable(`Process '${cell.pid.id}' terminated before answering`));
    }
  }

  // ---- the transport's side --------------------------------------------------------------

  private received(from: Address, fromId: string, toId: string, name: string, body: unknown): void {
    if (toId === '') {
      this.control(from, name, body);
      return;
    }
    this.deliver(toId, this.remoteUpid(from, fromId), name, body, true);
    if (!this.paused && this.backlog > this.highWater) {
      this.paused = true;
      this.transport.pause();
    }
  }

  /** Upids of remote senders, cached per peer address object (the transport keeps it stable). */
  private remoteUpid(from: Address, id: string): Upid {
    let byId = this.remoteUpids.get(from);
    if (byId === undefined) {
      byId = new Map();
      this.remoteUpids.set(from, byId);
    }
    let pid = byId.get(id);
    if (pid === undefined) {
      if (byId.size > 10_000) byId.clear();
      pid = Upid.at(id, from);
      byId.set(id, pid);
    }
    return pid;
  }

  /** Logs a dropped message, unless `source` (a sending runtime) had its share of such lines in this window. */
  private warnDropped(source: string, fields: Record<string, unknown>, message: string): void {
    const verdict = this.dropLog.allow(source, this.clock.now());
    if (!verdict.log) return;
    if (verdict.suppressed === 0) this.logger.warn(fields, message);
    else this.logger.warn({ ...fields, suppressed: verdict.suppressed }, `${message} (and ${verdict.suppressed} more dropped messages from '${source}' not logged)`);
  }

  private control(from: Address, name: string, body: unknown): void {
    if (typeof body !== 'string') {
      this.warnDropped(addressKey(from), { peer: addressKey(from), name }, `Dropped control message '${name}': body is not a process id`);
      return;
    }
    if (name === 'link') {
      const cell = this.processes.get(body);
      if (cell === undefined || cell.dead) this.transport.send(from, '', '', 'exited', body);
      else cell.remoteLinkers.add(addressKey(from));
    } else if (name === 'exited') {
      const key = Upid.at(body, from).toString();
      const entry = this.remoteLinks.get(key);
      if (entry === undefined) return;
      this.remoteLinks.delete(key);
      this.remoteLinksByPeer.get(addressKey(from))?.delete(key);
      for (const linker of entry.linkers) {
        linker.links.delete(key);
        this.enqueue(linker, { kind: 'exited', pid: entry.pid });
      }
    } else {
      this.warnDropped(addressKey(from), { peer: addressKey(from), name }, `Dropped unknown control message '${name}'`);
    }
  }

  private disconnected(peer: Address, reason: string): void {
    const key = addressKey(peer);
    const linked = this.remoteLinksByPeer.get(key);
    for (const address of this.remoteUpids.keys()) {
      if (address.port === peer.port && address.host === peer.host) this.remoteUpids.delete(address);
    }
    this.logger.info({ peer: key, reason, linked: linked?.size ?? 0 }, `Lost connection to '${key}': ${reason}`);
    for (const cell of this.processes.values()) cell.remoteLinkers.delete(key);
    if (linked === undefined) return;
    this.remoteLinksByPeer.delete(key);
    for (const upid of linked) {
      const entry = this.remoteLinks.get(upid);
      this.remoteLinks.delete(upid);
      if (entry === undefined) continue;
      for (const linker of entry.linkers) {
        linker.links.delete(upid);
        this.enqueue(linker, { kind: 'exited', pid: entry.pid });
      }
    }
  }

  private request(request: HttpRequest): Promise<HttpResponse> {
    const path = request.path;
    if (path === '/help' || path.startsWith('/help/')) {
      return Promise.resolve(helpResponse(path, this.routeTable()));
    }
    const found = this.findRoute(path);
    if (found === undefined) {
      return Promise.resolve(Http.notFound(`No endpoint at '${path}'; see /help for the endpoints served here`));
    }
    return new Promise((resolve) => this.enqueue(found.cell, { kind: 'http', route: found.route, request, resolve }));
  }

  /** `/<id>/<route>`, the longest route that prefixes the rest, or the delegate's route. */
  private findRoute(path: string): { cell: Cell; route: Route } | undefined {
    const slash = path.indexOf('/', 1);
    const head = slash < 0 ? path.slice(1) : path.slice(1, slash);
    const id = Http.decodeComponent(head) ?? head;
    const cell = this.processes.get(id);
    if (cell !== undefined && !cell.dead) {
      const route = longestRoute(cell.process.routes, slash < 0 ? '/' : path.slice(slash));
      if (route !== undefined) return { cell, route };
    }
    if (this.delegate !== undefined) {
      const delegate = this.processes.get(this.delegate);
      if (delegate !== undefined && !delegate.dead) {
        const route = longestRoute(delegate.process.routes, path);
        if (route !== undefined) return { cell: delegate, route };
      }
    }
    return undefined;
  }

  private routeTable(): Map<string, Route[]> {
    const table = new Map<string, Route[]>();
    for (const [id, cell] of this.processes) {
      if (cell.process.routes.size > 0) table.set(id, [...cell.process.routes.values()]);
    }
    return table;
  }

  // ---- helpers on addresses ---------------------------------------------------------------

  private requireAddress(action: string): Address {
    if (this.bound === undefined) throw new RuntimeNotStartedError(action);
    return this.bound;
  }

  private isLocal(pid: Upid): boolean {
    const address = this.bound;
    return address !== undefined && pid.port === address.port && pid.host === address.host;
  }

  private localCell(pid: Upid): Cell | undefined {
    return this.isLocal(pid) ? this.processes.get(pid.id) : undefined;
  }
}

function longestRoute(routes: ReadonlyMap<string, Route>, path: string): Route | undefined {
  let candidate = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  for (;;) {
    const route = routes.get(candidate);
    if (route !== undefined) return route;
    const cut = candidate.lastIndexOf('/');
    if (cut <= 0) return candidate === '/' ? undefined : routes.get('/');
    candidate = candidate.slice(0, cut);
  }
}

function splitKey(key: string): [string, number] {
  const colon = key.lastIndexOf(':');
  let host = key.slice(0, colon);
  if (host.startsWith('[')) host = host.slice(1, -1);
  return [host, Number(key.slice(colon + 1))];
}
