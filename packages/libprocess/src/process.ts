import type { Timer } from './clock.js';
import type { Decoder } from './decoder.js';
import type { Route, RouteHandler } from './http.js';
import type { Logger } from './logger.js';
import type { Runtime } from './runtime.js';
import type { Pid, Upid } from './upid.js';

/** A message handler: the sender and the (decoded) body. */
export type MessageHandler<T> = (from: Upid, body: T) => void | Promise<void>;

export interface InstalledHandler {
  readonly handler: MessageHandler<unknown>;
  readonly decode: Decoder<unknown> | undefined;
}

/** What the runtime knows of a spawned process; the process reaches its runtime through it. */
export interface ProcessBinding {
  readonly runtime: Runtime;
  readonly pid: Upid;
  readonly logger: Logger;
}

/**
 * An actor. Subclass it, `install` message handlers and `route` HTTP endpoints (usually in
 * the constructor), then `runtime.spawn(process)`. The runtime calls `initialize` first, then
 * delivers one event at a time (message, dispatch, HTTP request, exit notice), in order; when
 * a handler returns a promise, the next event waits for it. `finalize` runs at termination.
 */
export class Process {
  readonly handlers = new Map<string, InstalledHandler>();
  readonly routes = new Map<string, Route>();
  private binding: ProcessBinding | undefined;

  /** `id` is the name in this process's Upid (`master`, `slave(1)`); see `Runtime.generateId`. */
  constructor(readonly id: string) {}

  /** This process's address; only once spawned. */
  self(): Pid<this> {
    return this.bound('read its own pid').pid;
  }

  get runtime(): Runtime {
    return this.bound('reach its runtime').runtime;
  }

  /** A logger bound to this process's pid. */
  get log(): Logger {
    return this.bound('log').logger;
  }

  /** Called by the runtime when spawned; not for callers. */
  bind(binding: ProcessBinding | undefined): void {
    this.binding = binding;
  }

  /** The first event a process handles. */
  protected initialize(): void | Promise<void> {}

  /** The last event a process handles, at termination. */
  protected finalize(): void {}

  /** A linked process terminated, or the connection to its runtime broke. */
  protected exited(_pid: Upid): void {}

  /**
   * Handles messages named `name`. Bodies from other runtimes go through `decode` first and
   * are dropped (and logged) when it fails; local senders are trusted to send the right type.
   */
  protected install<T>(name: string, handler: MessageHandler<T>, decode?: Decoder<T>): void {
    this.handlers.set(name, {
      handler: handler as MessageHandler<unknown>,
      decode: decode,
    });
  }

  /** Serves `/<id><path>` (and, for the runtime's delegate, `<path>`), with help text. */
  protected route(path: string, help: string, handler: RouteHandler): void {
    if (!path.startsWith('/')) throw new Error(`Route '${path}' must start with '/'`);
    this.routes.set(path, { path, help, handler });
  }

  /** Sends a message; false when it was dropped because the peer's queue is full. */
  protected send(to: Upid, name: string, body?: unknown): boolean {
    return this.runtime.send(this.self(), to, name, body);
  }

  /** After this, `exited(to)` is called when `to` terminates or its runtime becomes unreachable. */
  protected link(to: Upid): void {
    this.runtime.link(this.self(), to);
  }

  protected unlink(to: Upid): void {
    this.runtime.unlink(this.self(), to);
  }

  /** Runs `fn` inside this process after `delayMs` on the runtime's clock; cancelled at termination. */
  protected delay(delayMs: number, fn: () => void | Promise<void>): Timer {
    return this.runtime.delayFor(this.self(), delayMs, fn);
  }

  /**
   * Wraps `fn` so that calling the result, from anywhere (a promise callback, a socket
   * event), runs `fn` inside this process instead.
   */
  protected defer<A extends unknown[]>(fn: (...args: A) => void | Promise<void>): (...args: A) => void {
    const pid = this.self();
    const runtime = this.runtime;
    return (...args: A) => {
      runtime.dispatch(pid, () => fn(...args)).catch((error: unknown) => {
        this.binding?.logger.debug({ err: error }, 'Deferred call did not run');
      });
    };
  }

  /** Terminates this process after the current event. */
  protected terminateSelf(): void {
    this.runtime.terminate(this.self());
  }

  private bound(action: string): ProcessBinding {
    if (this.binding === undefined) throw new Error(`Process '${this.id}' cannot ${action} before it is spawned`);
    return this.binding;
  }
}
