import { EventEmitter } from 'node:events';
import type { MasterInfo } from '@ts-mesos/protocol';
import { type DetectedLeader, LeaderDetector } from './election.js';
import { isZkUrl, parseZkUrl, type ZkUrl } from './zk-url.js';
import { ZkSession } from './zk-session.js';

/** Where the leading master is: its libprocess pid (agents) and its HTTP address (schedulers). */
export interface LeadingMaster {
  /** `master@ip:port` */
  readonly pid: string;
  readonly host: string;
  readonly port: number;
  /** What the master published, when it came from ZooKeeper. */
  readonly info?: MasterInfo;
}

/** Mesos's MasterInfo.ip: the IPv4 address's bytes in network order, read as a little-endian uint32. */
export function ipFromMesosInteger(ip: number): string {
  return [ip & 0xff, (ip >>> 8) & 0xff, (ip >>> 16) & 0xff, (ip >>> 24) & 0xff].join('.');
}

export function leadingMasterOf(info: MasterInfo): LeadingMaster {
  const host = info.address?.ip ?? ipFromMesosInteger(info.ip);
  const port = info.address?.port ?? info.port;
  return { pid: info.pid ?? `master@${host}:${port}`, host, port, info };
}

export type DetectorEvents = { leader: [leader: LeadingMaster | undefined]; trouble: [message: string] };

/** Follows the leading master: `leader` fires on every change (undefined while none is known). */
export interface MasterDetector extends EventEmitter<DetectorEvents> {
  readonly leader: LeadingMaster | undefined;
  close(): void;
}

export class DetectorConfigError extends Error {
  readonly _tag = 'DetectorConfigError';
}

/** `--master=host:port` (or `http://host:port`, or `master@host:port`): one master that always leads. */
export class StandaloneMasterDetector extends EventEmitter<DetectorEvents> implements MasterDetector {
  readonly leader: LeadingMaster;

  constructor(flag: string) {
    super();
    const text = flag.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const m = /^(?:([^@]+)@)?([^:@]+):(\d{1,5})$/.exec(text);
    if (m === null || Number(m[3]) > 65535) throw new DetectorConfigError(`Invalid --master '${flag}': expected host:port, master@host:port or zk://host:port/path`);
    const id = m[1] ?? 'master';
    this.leader = { pid: `${id}@${m[2]!}:${m[3]!}`, host: m[2]!, port: Number(m[3]) };
  }

  close(): void {}
}

export interface ZkDetectorOptions {
  readonly sessionTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/**
 * `--master=zk://.../mesos`: follows the group's leader. The last known leader is kept while
 * ZooKeeper is out of reach; an expired session is replaced by a new one (retried every
 * second), so a detector outlives any ZooKeeper outage.
 */
export class ZkMasterDetector extends EventEmitter<DetectorEvents> implements MasterDetector {
  leader: LeadingMaster | undefined;
  private session: ZkSession | undefined;
  private detector: LeaderDetector | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    readonly url: ZkUrl,
    private readonly options: ZkDetectorOptions,
  ) {
    super();
  }

  /** Connects and reads the current leader before it resolves (rejects when no ZooKeeper server answers in time). */
  static async open(url: ZkUrl, options: ZkDetectorOptions = {}): Promise<ZkMasterDetector> {
    const detector = new ZkMasterDetector(url, options);
    await detector.connect();
    return detector;
  }

  private async connect(): Promise<void> {
    const session = await ZkSession.connect(this.url.servers, { ...this.options, ...(this.url.digest === undefined ? {} : { digest: this.url.digest }) });
    if (this.closed) {
      session.close();
      return;
    }
    this.session = session;
    const detector = new LeaderDetector(session, this.url.path);
    this.detector = detector;
    detector.on('leader', (leader) => this.report(leader));
    detector.on('invalid', (node, error) => this.emit('trouble', `Leader znode ${node} holds no MasterInfo: ${error}`));
    detector.on('trouble', (message) => this.emit('trouble', message));
    session.on('expired', () => {
      detector.stop();
      this.emit('trouble', 'The ZooKeeper session expired; opening a new one');
      this.reconnect();
    });
    await detector.start();
  }

  private reconnect(): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.emit('trouble', `ZooKeeper is out of reach: ${error instanceof Error ? error.message : String(error)}`);
        this.reconnect();
      });
    }, 1000);
  }

  private report(leader: DetectedLeader | undefined): void {
    const next = leader === undefined ? undefined : leadingMasterOf(leader.info);
    if (next?.pid === this.leader?.pid && next?.info?.id === this.leader?.info?.id) return;
    this.leader = next;
    this.emit('leader', next);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.detector?.stop();
    this.session?.close();
  }
}

/** The detector for a `--master` value: ZooKeeper for `zk://...`, otherwise a fixed master. */
export async function detectMaster(flag: string, options: ZkDetectorOptions = {}): Promise<MasterDetector> {
  if (!isZkUrl(flag)) return new StandaloneMasterDetector(flag);
  const url = parseZkUrl(flag);
  if (!url.ok) throw new DetectorConfigError(`Invalid --master: ${url.error}`);
  return ZkMasterDetector.open(url.value, options);
}
