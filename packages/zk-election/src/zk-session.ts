import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';

/** A ZooKeeper error by its name (`NO_NODE`, `NODE_EXISTS`, `BAD_VERSION`, `CONNECTION_LOSS`, `SESSION_EXPIRED`, ...). */
export class ZkError extends Error {
  readonly _tag = 'ZkError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function zkError(error: unknown, what: string): ZkError {
  if (error instanceof zookeeper.Exception) return new ZkError(error.getName(), `${what}: ${error.getName()}`);
  return new ZkError('UNKNOWN', `${what}: ${error instanceof Error ? error.message : String(error)}`);
}

export interface ZkSessionOptions {
  /** How long the ensemble keeps the session (and its ephemeral nodes) without hearing from us (Mesos: 10 s). */
  readonly sessionTimeoutMs?: number;
  /** How long `connect` waits for a first connection before it gives up. */
  readonly connectTimeoutMs?: number;
  /** `user:password` for ZooKeeper's `digest` authentication. */
  readonly digest?: string;
}

/** One operation of a multi-op transaction (all or none). */
export type ZkOp =
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer; readonly ephemeral?: boolean }
  | { readonly op: 'set'; readonly path: string; readonly data: Buffer; readonly version?: number }
  | { readonly op: 'remove'; readonly path: string; readonly version?: number }
  /** Fails the transaction unless the node exists (node-zookeeper-client cannot check version 0). */
  | { readonly op: 'check'; readonly path: string };

export type ZkSessionState = 'connected' | 'disconnected' | 'expired' | 'closed';

/**
 * A ZooKeeper session as promises, over node-zookeeper-client. Watches are one-shot callbacks.
 * Events: `disconnected` (the session may still live: the client reconnects to another member
 * of the ensemble by itself), `connected` (again), `expired` (the ensemble dropped the session
 * and its ephemeral nodes; this object is dead, open a new one).
 */
export class ZkSession extends EventEmitter<{ connected: []; disconnected: []; expired: [] }> {
  private currentState: ZkSessionState = 'disconnected';

  private constructor(
    private readonly client: zookeeper.Client,
    readonly servers: string,
  ) {
    super();
    client.on('state', (state) => {
      if (state === zookeeper.State.SYNC_CONNECTED) this.transition('connected');
      else if (state === zookeeper.State.DISCONNECTED) this.transition('disconnected');
      else if (state === zookeeper.State.EXPIRED) {
        this.transition('expired');
        client.close();
      }
    });
  }

  /** Connects to `servers` (`host:port,host:port`); rejects after `connectTimeoutMs` without a connection. */
  static connect(servers: string, options: ZkSessionOptions = {}): Promise<ZkSession> {
    const client = zookeeper.createClient(servers, { sessionTimeout: options.sessionTimeoutMs ?? 10_000, spinDelay: 200, retries: 0 });
    const session = new ZkSession(client, servers);
    const timeoutMs = options.connectTimeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        session.currentState = 'closed';
        reject(new ZkError('CONNECTION_LOSS', `No ZooKeeper server of '${servers}' answered within ${timeoutMs} ms`));
      }, timeoutMs);
      session.once('connected', () => {
        clearTimeout(timer);
        resolve(session);
      });
      if (options.digest !== undefined) client.addAuthInfo('digest', Buffer.from(options.digest));
      client.connect();
    });
  }

  get state(): ZkSessionState {
    return this.currentState;
  }

  /** The session's ID as hex (what ZooKeeper's logs show). */
  get id(): string {
    return this.client.getSessionId().toString('hex');
  }

  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  private transition(next: ZkSessionState): void {
    if (this.currentState === next || this.currentState === 'closed' || this.currentState === 'expired') return;
    this.currentState = next;
    if (next !== 'closed') this.emit(next);
  }

  close(): void {
    if (this.currentState === 'closed') return;
    this.currentState = 'closed';
    this.client.close();
  }

  create(path: string, data: Buffer, mode: 'persistent' | 'ephemeral' | 'ephemeral-sequential' | 'persistent-sequential' = 'persistent'): Promise<string> {
    const modes = {
      persistent: zookeeper.CreateMode.PERSISTENT,
      ephemeral: zookeeper.CreateMode.EPHEMERAL,
      'ephemeral-sequential': zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
      'persistent-sequential': zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
    };
    return new Promise((resolve, reject) => {
      this.client.create(path, data, modes[mode], (error, created) => (error ? reject(zkError(error, `create ${path}`)) : resolve(created)));
    });
  }

  /** Creates `path` and its missing parents (persistent, empty); an existing path is fine. */
  mkdirp(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.mkdirp(path, (error) => (error ? reject(zkError(error, `mkdirp ${path}`)) : resolve()));
    });
  }

  getChildren(path: string, watch?: () => void): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, children: string[]): void => (error ? reject(zkError(error, `getChildren ${path}`)) : resolve(children));
      if (watch === undefined) this.client.getChildren(path, done);
      else this.client.getChildren(path, () => watch(), done);
    });
  }

  getData(path: string, watch?: () => void): Promise<{ data: Buffer; version: number }> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, data: Buffer, stat: zookeeper.Stat): void =>
        error ? reject(zkError(error, `getData ${path}`)) : resolve({ data: data ?? Buffer.alloc(0), version: stat.version });
      if (watch === undefined) this.client.getData(path, done);
      else this.client.getData(path, () => watch(), done);
    });
  }

  /** The node's version, or undefined when it does not exist (a watch then fires on its creation). */
  exists(path: string, watch?: () => void): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | zookeeper.Exception | null, stat: zookeeper.Stat | null): void =>
        error ? reject(zkError(error, `exists ${path}`)) : resolve(stat ? stat.version : undefined);
      if (watch === undefined) this.client.exists(path, done);
      else this.client.exists(path, () => watch(), done);
    });
  }

  setData(path: string, data: Buffer, version = -1): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.setData(path, data, version, (error, stat) => (error ? reject(zkError(error, `setData ${path}`)) : resolve(stat.version)));
    });
  }

  remove(path: string, version = -1): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.remove(path, version, (error) => (error ? reject(zkError(error, `remove ${path}`)) : resolve()));
    });
  }

  /** Runs the operations atomically: all apply, or none and the promise rejects. */
  transaction(ops: readonly ZkOp[]): Promise<void> {
    const tx = this.client.transaction();
    for (const op of ops) {
      switch (op.op) {
        case 'create':
          tx.create(op.path, op.data, op.ephemeral === true ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT);
          break;
        case 'set':
          tx.setData(op.path, op.data, op.version ?? -1);
          break;
        case 'remove':
          tx.remove(op.path, op.version ?? -1);
          break;
        case 'check':
          tx.check(op.path, -1);
          break;
      }
    }
    return new Promise((resolve, reject) => {
      tx.commit((error, results: { type: number; err?: number }[] | undefined) => {
        if (error) {
          // The failing operation is the first with a non-zero error code.
          const index = results?.findIndex((r) => r.err !== undefined && r.err !== 0) ?? -1;
          const failed = index >= 0 ? ops[index] : undefined;
          reject(zkError(error, `transaction${failed === undefined ? '' : ` (${failed.op} ${failed.path})`}`));
        } else resolve();
      });
    });
  }
}
