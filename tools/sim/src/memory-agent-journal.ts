import { type Journal, type JournalRecord, lastAgentInfo, lastCheckpointedResources } from '@ts-mesos/agent';
import type { AgentInfo } from '@ts-mesos/protocol';

/**
 * The agent's checkpoint kept in memory: the simulator's stand-in for `<work_dir>/meta/journal`.
 * It outlives the agent process (a crash loses nothing appended), and, like the file, keeps
 * each record as serialised JSON, so what a restarted agent replays is exactly what the file
 * would have given it, not the live objects the previous process went on mutating.
 */
export class MemoryAgentJournal implements Journal {
  readonly path: string;
  private lines: string[] = [];

  constructor(
    name: string,
    /** Sees every appended record (the simulator keeps its ledger of updates and acknowledgements from it). */
    private readonly onAppend: (record: JournalRecord) => void = () => undefined,
  ) {
    this.path = `memory:${name}/meta/journal`;
  }

  append(record: JournalRecord): void {
    this.lines.push(JSON.stringify(record));
    this.onAppend(record);
  }

  flush(): void {
    // Appends are kept at once.
  }

  replay(): JournalRecord[] {
    return this.lines.map((line) => JSON.parse(line) as JournalRecord);
  }

  rewrite(records: readonly JournalRecord[]): void {
    this.lines = records.map((record) => JSON.stringify(record));
  }

  recoverResources(): NonNullable<AgentInfo['resources']> | undefined {
    return lastCheckpointedResources(this.replay());
  }

  recoverAgentInfo(): AgentInfo | undefined {
    return lastAgentInfo(this.replay());
  }

  get size(): number {
    return this.lines.length;
  }
}
