import type { Random } from '@ts-mesos/libprocess';
import { type InternalName, messageName } from '@ts-mesos/protocol';
import { between } from './seed-streams.js';

/** Per-message fault chances while faults are on (each in [0, 1]). */
export interface MessageFaultRates {
  /** Lost; by default the connection it travelled on breaks with it, as over TCP. */
  readonly drop: number;
  /** Held back 10-2,000 ms, with everything behind it on the same connection (order kept). */
  readonly delay: number;
  /** Delivered twice (only messages their sender retries, unless chaos). */
  readonly duplicate: number;
  /** Held back alone 10-500 ms, so later messages on the connection overtake it (only retried messages, unless chaos). */
  readonly reorder: number;
}

/**
 * Messages whose sender retries them until answered (registration, status updates and their
 * acknowledgements, pings): the protocol already meets their duplicates and stale copies
 * overtaken by newer ones, since a retry can cross the answer to the first try. Other messages
 * (RunTask, KillTask, ReconcileTasks, ...) go once over an ordered connection; duplicating or
 * reordering those is beyond the transport's contract (TCP), and only `chaos` does it.
 */
const RETRIED: ReadonlySet<string> = new Set(
  (['RegisterAgent', 'ReregisterAgent', 'StatusUpdate', 'StatusUpdateAcknowledgement', 'Ping', 'Pong'] satisfies InternalName[]).map((name) => messageName(name)),
);

export type Verdict =
  | { readonly kind: 'deliver' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'reorder'; readonly ms: number };

const DELIVER: Verdict = { kind: 'deliver' };

export interface FaultCounts {
  drops: number;
  delays: number;
  duplicates: number;
  reorders: number;
}

/**
 * The seeded policy for message faults on the simulated network: every message between
 * runtimes asks it once what happens to it. Faults apply only while `enabled` (the storm
 * phases); in calm phases every message is delivered at once.
 */
export class NetworkFaults {
  enabled = false;
  readonly counts: FaultCounts = { drops: 0, delays: 0, duplicates: 0, reorders: 0 };

  constructor(
    private readonly random: Random,
    readonly rates: MessageFaultRates,
    /**
     * Beyond the transport's contract: dropped messages vanish without breaking their connection,
     * and any message may be duplicated or overtaken on its connection.
     */
    readonly chaos: boolean,
  ) {}

  /** A dropped message breaks its connection (the TCP contract), except in chaos. */
  get dropBreaksConnection(): boolean {
    return !this.chaos;
  }

  /** What happens to one message named `name` (its wire name). */
  decide(name: string): Verdict {
    if (!this.enabled) return DELIVER;
    const roll = this.random.next();
    const mischief = this.chaos || RETRIED.has(name);
    let edge = this.rates.drop;
    if (roll < edge) {
      this.counts.drops++;
      return { kind: 'drop' };
    }
    edge += this.rates.delay;
    if (roll < edge) {
      this.counts.delays++;
      return { kind: 'delay', ms: between(this.random, 10, 2000) };
    }
    edge += this.rates.duplicate;
    if (roll < edge) {
      if (!mischief) return DELIVER;
      this.counts.duplicates++;
      return { kind: 'duplicate' };
    }
    edge += this.rates.reorder;
    if (roll < edge) {
      if (!mischief) return DELIVER;
      this.counts.reorders++;
      return { kind: 'reorder', ms: between(this.random, 10, 500) };
    }
    return DELIVER;
  }

  get total(): number {
    return this.counts.drops + this.counts.delays + this.counts.duplicates + this.counts.reorders;
  }
}
