import type { AgentInfo } from '@ts-mesos/protocol';
import { ZkError, type ZkOp, type ZkSession } from '@ts-mesos/zk-election';
import { type QuotaRecord, type Registry, type RegistryChange, RegistryModel, type RegistryState } from './registry.js';

/** One agent's znode. */
type AgentEntry =
  | { readonly state: 'admitted'; readonly agent: AgentInfo & { readonly id: { readonly value: string } } }
  | { readonly state: 'unreachable'; readonly timeMs: number }
  | { readonly state: 'gone' };

/** Agents are spread over this many bucket znodes, so no znode lists more than a few hundred children at 50,000 agents. */
const BUCKETS = 256;
/** Znode reads in flight at once while loading. */
const LOAD_CONCURRENCY = 512;

/** The bucket of an agent: FNV-1a of its ID, as two hex digits. */
export function agentBucket(agentId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) {
    hash ^= agentId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % BUCKETS).toString(16).padStart(2, '0');
}

/**
 * The HA registry, in ZooKeeper under `<zk path>/registry`: one znode per agent
 * (`agents/<bucket>/<agent id>`, a few hundred bytes of JSON each: ZooKeeper's 1 MB limit per
 * znode never binds, and a change writes one agent, not the whole registry), plus `weights` and
 * `quotas`. Every write is a transaction that also checks the leader's own election znode: a
 * master whose session has ended (a new leader may already act) cannot write any more — the
 * write fails and that master stops.
 */
export class ZkRegistry implements Registry {
  private readonly model = new RegistryModel();
  /** Agents with a znode. */
  private readonly stored = new Set<string>();
  private loaded = false;
  /** Writes being redone after a lost connection, and the chain that keeps them in order. */
  private redoing = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: ZkSession,
    /** `<zk path>/registry` */
    readonly root: string,
    /** The leader's election znode, checked by every write. */
    private readonly fence: string,
  ) {}

  private agentPath(agentId: string): string {
    return `${this.root}/agents/${agentBucket(agentId)}/${agentId}`;
  }

  /** Reads the whole registry (creating its layout on first use); `recover` answers from it afterwards. */
  async load(): Promise<void> {
    await this.session.mkdirp(`${this.root}/agents`);
    const existing = new Set(await this.session.getChildren(`${this.root}/agents`));
    const missing = Array.from({ length: BUCKETS }, (_, i) => i.toString(16).padStart(2, '0')).filter((b) => !existing.has(b));
    await Promise.all(missing.map((bucket) => this.session.create(`${this.root}/agents/${bucket}`, Buffer.alloc(0)).catch(ignoreExists)));
    for (const name of ['weights', 'quotas']) await this.session.create(`${this.root}/${name}`, Buffer.from('{}')).catch(ignoreExists);

    const weights = JSON.parse((await this.session.getData(`${this.root}/weights`)).data.toString('utf8') || '{}') as Record<string, number>;
    for (const [role, weight] of Object.entries(weights)) this.model.apply({ op: 'weight', role, weight });
    const quotas = JSON.parse((await this.session.getData(`${this.root}/quotas`)).data.toString('utf8') || '{}') as Record<string, QuotaRecord>;
    for (const [role, quota] of Object.entries(quotas)) this.model.apply({ op: 'quota', role, quota });

    const paths: string[] = [];
    const buckets = await this.session.getChildren(`${this.root}/agents`);
    await pooled(buckets, LOAD_CONCURRENCY, async (bucket) => {
      for (const agentId of await this.session.getChildren(`${this.root}/agents/${bucket}`)) paths.push(`${this.root}/agents/${bucket}/${agentId}`);
    });
    await pooled(paths, LOAD_CONCURRENCY, async (path) => {
      const agentId = path.slice(path.lastIndexOf('/') + 1);
      const { data } = await this.session.getData(path);
      const entry = JSON.parse(data.toString('utf8')) as AgentEntry;
      this.stored.add(agentId);
      if (entry.state === 'admitted') this.model.apply({ op: 'admit', agent: entry.agent });
      else if (entry.state === 'unreachable') this.model.apply({ op: 'unreachable', agentId, timeMs: entry.timeMs });
      else this.model.apply({ op: 'gone', agentId });
    });
    this.loaded = true;
  }

  recover(): RegistryState {
    if (!this.loaded) throw new Error('ZkRegistry.recover() before load()');
    return this.model;
  }

  apply(change: RegistryChange): Promise<void> {
    this.model.apply(change);
    const ops: ZkOp[] = [{ op: 'check', path: this.fence }];
    switch (change.op) {
      case 'admit':
        ops.push(this.putAgent(change.agent.id.value, { state: 'admitted', agent: change.agent }));
        break;
      case 'unreachable':
        ops.push(this.putAgent(change.agentId, { state: 'unreachable', timeMs: change.timeMs }));
        break;
      case 'gone':
        ops.push(this.putAgent(change.agentId, { state: 'gone' }));
        break;
      case 'remove':
        if (!this.stored.delete(change.agentId)) return Promise.resolve();
        ops.push({ op: 'remove', path: this.agentPath(change.agentId) });
        break;
      case 'weight':
        ops.push({ op: 'set', path: `${this.root}/weights`, data: Buffer.from(JSON.stringify(Object.fromEntries(this.model.weights))) });
        break;
      case 'quota':
        ops.push({ op: 'set', path: `${this.root}/quotas`, data: Buffer.from(JSON.stringify(Object.fromEntries(this.model.quotas))) });
        break;
    }
    return this.write(ops);
  }

  /**
   * One transaction. A write cut off by a lost connection (a ZooKeeper member died) may or may
   * not have been applied, and ZooKeeper cannot say which: once the session is back it is done
   * again in a form that is right either way (`idempotentOps`). Redone writes, and the writes
   * issued while any is pending, go one after another, so changes land in order.
   */
  private write(ops: ZkOp[]): Promise<void> {
    if (this.redoing > 0) return this.chain(ops);
    return this.session.transaction(ops).catch((error: unknown) => {
      if (!(error instanceof ZkError && error.code === 'CONNECTION_LOSS')) throw error;
      return this.chain(ops);
    });
  }

  private chain(ops: ZkOp[]): Promise<void> {
    this.redoing++;
    const done = this.queue.then(() => this.redo(ops));
    this.queue = done.catch(() => undefined).finally(() => this.redoing--);
    return done;
  }

  private async redo(ops: ZkOp[], attempt = 1): Promise<void> {
    await this.connected();
    const present = new Set<string>();
    for (const op of ops) if ((op.op === 'create' || op.op === 'remove') && (await this.session.exists(op.path)) !== undefined) present.add(op.path);
    try {
      await this.session.transaction(idempotentOps(ops, present));
    } catch (error) {
      if (error instanceof ZkError && error.code === 'CONNECTION_LOSS' && attempt < 5) return this.redo(ops, attempt + 1);
      throw error;
    }
  }

  /** Resolves once the session is connected; rejects when it ends, or stays away for its timeout. */
  private connected(): Promise<void> {
    if (this.session.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new ZkError('CONNECTION_LOSS', 'ZooKeeper stayed out of reach for the session timeout')), this.session.sessionTimeoutMs);
      const onConnected = (): void => finish();
      const onExpired = (): void => finish(new ZkError('SESSION_EXPIRED', 'The ZooKeeper session expired'));
      const finish = (error?: ZkError): void => {
        clearTimeout(timer);
        this.session.off('connected', onConnected);
        this.session.off('expired', onExpired);
        if (error === undefined) resolve();
        else reject(error);
      };
      this.session.once('connected', onConnected);
      this.session.once('expired', onExpired);
    });
  }

  private putAgent(agentId: string, entry: AgentEntry): ZkOp {
    const data = Buffer.from(JSON.stringify(entry));
    if (this.stored.has(agentId)) return { op: 'set', path: this.agentPath(agentId), data };
    this.stored.add(agentId);
    return { op: 'create', path: this.agentPath(agentId), data };
  }
}

/**
 * A transaction made safe to run again when an earlier attempt may have been applied: a
 * create of a node that now exists becomes a set, a remove of a node that is gone is dropped.
 */
export function idempotentOps(ops: readonly ZkOp[], present: ReadonlySet<string>): ZkOp[] {
  return ops.flatMap((op): ZkOp[] => {
    if (op.op === 'create' && present.has(op.path)) return [{ op: 'set', path: op.path, data: op.data }];
    if (op.op === 'remove' && !present.has(op.path)) return [];
    return [op];
  });
}

function ignoreExists(error: unknown): void {
  if (!(error instanceof ZkError && error.code === 'NODE_EXISTS')) throw error;
}

async function pooled<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
