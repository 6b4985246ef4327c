import { EventEmitter } from 'node:events';
import { compileDecoder, decodeJson, type MasterInfo, Schemas } from '@ts-mesos/protocol';
import { ZkError, type ZkSession } from './zk-session.js';

/**
 * Apache Mesos's layout: each master is an ephemeral sequential znode `json.info_NNNNNNNNNN`
 * under the `--zk` path holding its MasterInfo as JSON, and the lowest sequence number leads.
 * (Mesos ignores the older `info_` nodes, which hold protobuf; so do we.)
 */
export const MEMBER_PREFIX = 'json.info_';
const MEMBER = /^json\.info_(\d{10})$/;

const decodeMasterInfo = compileDecoder(Schemas.MasterInfo);

/** The leading member among a group's children: the lowest sequence number, or undefined. */
export function leaderOf(children: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestSequence = Infinity;
  for (const child of children) {
    const m = MEMBER.exec(child);
    if (m === null) continue;
    const sequence = Number(m[1]);
    if (sequence < bestSequence) {
      bestSequence = sequence;
      best = child;
    }
  }
  return best;
}

function isConnectionError(error: unknown): boolean {
  return error instanceof ZkError && (error.code === 'CONNECTION_LOSS' || error.code === 'SESSION_EXPIRED' || error.code === 'OPERATION_TIMEOUT');
}

export interface ContenderOptions {
  /**
   * How long the contender may stay disconnected from ZooKeeper before it gives leadership up
   * on its own. The ensemble expires the session `sessionTimeout` after it last heard from us,
   * and a new leader can be elected right after: a leader cut off from ZooKeeper must stop
   * acting before that. Default: half the session timeout (a killed ZooKeeper member costs a
   * reconnection of a few hundred milliseconds, which must not cost the leadership).
   */
  readonly stepDownMs?: number;
}

/**
 * A master contending for leadership. `contend()` joins the group; `elected` fires once our
 * node is the lowest; `lost` fires (once) when we can no longer be sure that we lead or would
 * lead: the session expired, our node vanished, or ZooKeeper was out of reach for `stepDownMs`.
 * A master that lost must stop acting at once (Mesos's master exits).
 */
export class LeaderContender extends EventEmitter<{ elected: []; lost: [reason: string] }> {
  /** Our member node's full path, once joined. */
  node: string | undefined;
  private elected = false;
  private lostReason: string | undefined;
  private stepDownTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: ZkSession,
    readonly path: string,
    private readonly data: Buffer,
    private readonly options: ContenderOptions = {},
  ) {
    super();
  }

  get isElected(): boolean {
    return this.elected && this.lostReason === undefined;
  }

  async contend(): Promise<void> {
    this.session.on('expired', () => this.lose('the ZooKeeper session expired'));
    this.session.on('disconnected', () => {
      const ms = this.options.stepDownMs ?? Math.floor(this.session.sessionTimeoutMs / 2);
      clearTimeout(this.stepDownTimer);
      this.stepDownTimer = setTimeout(() => this.lose(`disconnected from ZooKeeper for ${ms} ms`), ms);
    });
    this.session.on('connected', () => {
      clearTimeout(this.stepDownTimer);
      this.stepDownTimer = undefined;
      void this.check();
    });
    await this.session.mkdirp(this.path);
    this.node = await this.session.create(`${this.path}/${MEMBER_PREFIX}`, this.data, 'ephemeral-sequential');
    await this.check();
  }

  /** Leaves the group (a clean shutdown): removes our node, so a standby takes over at once. */
  async withdraw(): Promise<void> {
    clearTimeout(this.stepDownTimer);
    this.lostReason ??= 'withdrew';
    if (this.node !== undefined && this.session.state === 'connected') await this.session.remove(this.node).catch(() => undefined);
  }

  private lose(reason: string): void {
    clearTimeout(this.stepDownTimer);
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.emit('lost', reason);
  }

  private async check(): Promise<void> {
    if (this.lostReason !== undefined || this.node === undefined) return;
    let children: string[];
    try {
      children = await this.session.getChildren(this.path, () => void this.check());
    } catch (error) {
      if (isConnectionError(error)) return; // checked again on reconnection
      this.lose(`cannot read the group: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const mine = this.node.slice(this.path.length + 1);
    if (!children.includes(mine)) {
      this.lose(`our group member ${this.node} is gone`);
      return;
    }
    if (!this.elected && leaderOf(children) === mine) {
      this.elected = true;
      this.emit('elected');
    }
  }
}

/** The leader as a detector reports it. */
export interface DetectedLeader {
  /** The member node, e.g. `json.info_0000000003`. */
  readonly node: string;
  readonly info: MasterInfo;
}

/**
 * Watches a group and reports its leader's MasterInfo whenever the leader changes (`leader`,
 * with undefined while no master contends). A member whose data is not a MasterInfo is logged
 * through `invalid` and skipped as leader-less, like Mesos's detector.
 */
export class LeaderDetector extends EventEmitter<{ leader: [leader: DetectedLeader | undefined]; invalid: [node: string, error: string]; trouble: [error: string] }> {
  leader: DetectedLeader | undefined;
  private generation = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly onConnected = (): void => void this.refresh();

  constructor(
    private readonly session: ZkSession,
    readonly path: string,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.session.on('connected', this.onConnected);
    await this.session.mkdirp(this.path);
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.session.off('connected', this.onConnected);
  }

  /** Reads the group again; a failure other than a lost connection (retried on reconnection) is reported and retried in a second. */
  private async refresh(): Promise<void> {
    try {
      await this.read();
    } catch (error) {
      if (this.stopped || isConnectionError(error)) return;
      this.emit('trouble', error instanceof Error ? error.message : String(error));
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.refresh(), 1000).unref();
    }
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const children = await this.session.getChildren(this.path, () => void this.refresh());
    const node = leaderOf(children);
    if (generation !== this.generation) return;
    if (node === undefined) {
      this.report(undefined);
      return;
    }
    if (node === this.leader?.node) return;
    let data: Buffer;
    try {
      ({ data } = await this.session.getData(`${this.path}/${node}`));
    } catch (error) {
      if (error instanceof ZkError && error.code === 'NO_NODE') return; // it left; its removal fires the watch
      throw error;
    }
    if (generation !== this.generation || this.stopped) return;
    const info = decodeJson(decodeMasterInfo, data.toString('utf8'));
    if (!info.ok) {
      this.emit('invalid', node, info.error);
      this.report(undefined);
      return;
    }
    this.report({ node, info: info.value });
  }

  private report(leader: DetectedLeader | undefined): void {
    if (leader?.node === this.leader?.node) return;
    this.leader = leader;
    this.emit('leader', leader);
  }
}

/**
 * Resolves with the number of contenders once at least `count` are in the group (at once when
 * they are); `waiting` is told how many are present each time that is still too few.
 */
export async function waitForMembers(session: ZkSession, path: string, count: number, waiting?: (present: number) => void): Promise<number> {
  for (;;) {
    let changed!: () => void;
    const watched = new Promise<void>((resolve) => (changed = resolve));
    let children: string[];
    try {
      children = await session.getChildren(path, () => changed());
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      await new Promise<void>((resolve) => session.once('connected', () => resolve()));
      continue;
    }
    const present = children.filter((child) => MEMBER.test(child)).length;
    if (present >= count) return present;
    waiting?.(present);
    await watched;
  }
}
