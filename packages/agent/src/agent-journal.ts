import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentInfo, ExecutorInfo, FrameworkInfo, TaskInfo } from '@ts-mesos/protocol';
import type { ContainerCheckpoint } from '@ts-mesos/containerizer';
import type { StatusUpdate } from './status-update-manager.js';

/** One checkpointed fact. Appending is cheap; the journal is replayed in order on recovery. */
export type JournalRecord =
  | { readonly k: 'agent'; readonly info: AgentInfo }
  | { readonly k: 'framework'; readonly info: FrameworkInfo }
  /** A task; `group` when it came in a LAUNCH_GROUP: the group's executor and its tasks' IDs. */
  | { readonly k: 'task'; readonly frameworkId: string; readonly task: TaskInfo; readonly sandbox: string; readonly group?: TaskGroupOf }
  | { readonly k: 'container'; readonly frameworkId: string; readonly taskId: string; readonly checkpoint: ContainerCheckpoint }
  /** A custom executor's container, launched: a restarted agent waits for it to subscribe again. */
  | { readonly k: 'executor'; readonly frameworkId: string; readonly info: ExecutorInfo; readonly sandbox: string; readonly checkpoint: ContainerCheckpoint }
  /** That executor's container ended: nothing to re-adopt. */
  | { readonly k: 'executor-done'; readonly frameworkId: string; readonly executorId: string; readonly containerId: string }
  | { readonly k: 'update'; readonly update: StatusUpdate }
  | { readonly k: 'ack'; readonly frameworkId: string; readonly taskId: string; readonly uuid: string }
  | { readonly k: 'task-done'; readonly frameworkId: string; readonly taskId: string }
  /** The master shut the framework down: nothing of it is recovered (its containers are destroyed). */
  | { readonly k: 'framework-removed'; readonly frameworkId: string }
  /** The total the master checkpointed (reservations, volumes): announced again after a restart. */
  | { readonly k: 'resources'; readonly resources: NonNullable<AgentInfo['resources']> };

/** The task group a task came in: the group's executor (Mesos's default executor) and every task ID of the group. */
export interface TaskGroupOf {
  readonly executor: ExecutorInfo;
  readonly tasks: readonly string[];
}

/** What the agent needs of its checkpoint: the file below, or the simulator's in-memory one. */
export type Journal = Pick<AgentJournal, 'path' | 'append' | 'flush' | 'replay' | 'rewrite' | 'recoverResources' | 'recoverAgentInfo'>;

/**
 * The agent's checkpoint under `<work_dir>/meta/journal`: who the agent is, its frameworks,
 * tasks, containers and unacknowledged status updates, written before they are acted on
 * (DESIGN.md section 4) so that a restarted agent can re-register with the same agent ID.
 */
export class AgentJournal {
  readonly path: string;
  /** Open for appending from the first append until a rewrite replaces the file (an open and a close per record were two thirds of the cost). */
  private fd: number | undefined;
  /** Records appended in this turn of the event loop, written together before any I/O of the next. */
  private pending: string[] = [];
  private flushQueued = false;

  constructor(workDir: string) {
    const meta = join(workDir, 'meta');
    mkdirSync(meta, { recursive: true });
    this.path = join(meta, 'journal');
  }

  /**
   * Appends a record. It is written at the end of the current task (a microtask), so before
   * any message sent meanwhile leaves (sockets are written from later turns of the event loop);
   * `flush` writes it at once, before a side effect that cannot wait (a container's start).
   */
  append(record: JournalRecord): void {
    this.pending.push(JSON.stringify(record) + '\n');
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes what was appended and not yet written. */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.fd ??= openSync(this.path, 'a');
    for (let written = 0; written < data.length; ) written += writeSync(this.fd, data, written);
  }

  /** Writes what is pending and closes the file; a later append opens it again. */
  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Every record written so far, in order; a torn last line (a crash mid-write) is skipped. */
  replay(): JournalRecord[] {
    this.flush();
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        // Only the last line can be torn; anything after it was never written.
      }
    }
    return records;
  }

  /** Replaces the journal with `records` (what still holds after a recovery), atomically. */
  rewrite(records: readonly JournalRecord[]): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, records.map((r) => JSON.stringify(r) + '\n').join(''));
    this.pending = []; // replaced by `records`
    this.close();
    renameSync(tmp, this.path);
  }

  /** The resources the master last checkpointed, if it ever did. */
  recoverResources(): NonNullable<AgentInfo['resources']> | undefined {
    return lastCheckpointedResources(this.replay());
  }

  /** The agent info (with its ID) from the last registration, if the agent ever registered. */
  recoverAgentInfo(): AgentInfo | undefined {
    return lastAgentInfo(this.replay());
  }
}

/** The resources the master last checkpointed in these records, if it ever did. */
export function lastCheckpointedResources(records: Iterable<JournalRecord>): NonNullable<AgentInfo['resources']> | undefined {
  let resources: NonNullable<AgentInfo['resources']> | undefined;
  for (const record of records) if (record.k === 'resources') resources = record.resources;
  return resources;
}

/** The agent info (with its ID) of the last registration in these records, if any. */
export function lastAgentInfo(records: Iterable<JournalRecord>): AgentInfo | undefined {
  let info: AgentInfo | undefined;
  for (const record of records) if (record.k === 'agent') info = record.info;
  return info;
}
