import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentInfo } from '@ts-mesos/protocol';

/**
 * What the master must not forget across its own restart (DESIGN.md section 4): the agents it
 * admitted, and those it marked unreachable or gone. Changes are written before the master
 * acts on them, so a restarted master knows which re-registering agents it admitted.
 */
export interface RegistryState {
  readonly admitted: ReadonlyMap<string, AgentInfo>;
  readonly unreachable: ReadonlyMap<string, number>;
  readonly gone: ReadonlySet<string>;
  /** Role weights set by operators. */
  readonly weights: ReadonlyMap<string, number>;
  /** Role quotas set by operators: guarantees and limits by resource name. */
  readonly quotas: ReadonlyMap<string, QuotaRecord>;
}

export interface QuotaRecord {
  readonly guarantees: Readonly<Record<string, number>>;
  readonly limits: Readonly<Record<string, number>>;
}

export type RegistryChange =
  | { readonly op: 'admit'; readonly agent: AgentInfo & { readonly id: { readonly value: string } } }
  | { readonly op: 'unreachable'; readonly agentId: string; readonly timeMs: number }
  | { readonly op: 'remove'; readonly agentId: string }
  | { readonly op: 'gone'; readonly agentId: string }
  | { readonly op: 'weight'; readonly role: string; readonly weight: number }
  | { readonly op: 'quota'; readonly role: string; readonly quota: QuotaRecord | null };

/** The storage port: in memory for tests and the simulator, a file in standalone mode, ZooKeeper in HA. */
export interface Registry {
  recover(): RegistryState;
  /**
   * Durable when it returns, or when the promise it returns resolves (the master acts on a
   * change only then). A rejected promise means the registry can no longer be trusted: the
   * master must stop acting.
   */
  apply(change: RegistryChange): void | Promise<void>;
}

/** The registry's contents, and how one change alters them. */
export class RegistryModel implements RegistryState {
  readonly admitted = new Map<string, AgentInfo>();
  readonly unreachable = new Map<string, number>();
  readonly gone = new Set<string>();
  readonly weights = new Map<string, number>();
  readonly quotas = new Map<string, QuotaRecord>();

  apply(change: RegistryChange): void {
    switch (change.op) {
      case 'admit':
        this.admitted.set(change.agent.id.value, change.agent);
        this.unreachable.delete(change.agent.id.value);
        break;
      case 'unreachable':
        this.admitted.delete(change.agentId);
        this.unreachable.set(change.agentId, change.timeMs);
        break;
      case 'remove':
        this.admitted.delete(change.agentId);
        this.unreachable.delete(change.agentId);
        break;
      case 'gone':
        this.admitted.delete(change.agentId);
        this.unreachable.delete(change.agentId);
        this.gone.add(change.agentId);
        break;
      case 'weight':
        this.weights.set(change.role, change.weight);
        break;
      case 'quota':
        if (change.quota === null) this.quotas.delete(change.role);
        else this.quotas.set(change.role, change.quota);
        break;
    }
  }
}

export class MemoryRegistry implements Registry {
  private readonly model = new RegistryModel();

  recover(): RegistryState {
    return this.model;
  }

  apply(change: RegistryChange): void {
    this.model.apply(change);
  }
}

/**
 * The standalone registry: an append-only log of changes, one JSON line each (an append is
 * cheap, where rewriting a snapshot per admitted agent would cost O(agents) each time). On
 * recovery the log is replayed and compacted into one line per agent.
 */
export class FileRegistry implements Registry {
  private readonly model = new RegistryModel();
  /** Open for appending from the first change on: an open and a close per change cost 1.6 s of 50,000 admissions. */
  private fd: number | undefined;

  constructor(readonly path: string) {}

  recover(): RegistryState {
    mkdirSync(dirname(this.path), { recursive: true });
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.model.apply(JSON.parse(line) as RegistryChange);
      } catch {
        // A torn last line (a crash mid-append) is the only way a line can be broken; skip it.
      }
    }
    const compacted: RegistryChange[] = [
      ...[...this.model.admitted.values()].map((agent) => ({ op: 'admit', agent }) as RegistryChange),
      ...[...this.model.unreachable].map(([agentId, timeMs]) => ({ op: 'unreachable', agentId, timeMs }) as const),
      ...[...this.model.gone].map((agentId) => ({ op: 'gone', agentId }) as const),
      ...[...this.model.weights].map(([role, weight]) => ({ op: 'weight', role, weight }) as const),
      ...[...this.model.quotas].map(([role, quota]) => ({ op: 'quota', role, quota }) as const),
    ];
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, compacted.map((c) => JSON.stringify(c) + '\n').join(''));
    this.close();
    renameSync(tmp, this.path);
    return this.model;
  }

  /** Written before it returns, as before anything that follows it is acted on. */
  apply(change: RegistryChange): void {
    this.fd ??= openSync(this.path, 'a');
    const data = Buffer.from(JSON.stringify(change) + '\n');
    for (let written = 0; written < data.length; ) written += writeSync(this.fd, data, written);
    this.model.apply(change);
  }

  /** Closes the log; a later change opens it again. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
