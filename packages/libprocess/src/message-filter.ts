import type { Upid } from './upid.js';

/** A message about to enter a local process's mailbox, as filters see it. */
export interface FilteredMessage {
  readonly from: Upid;
  readonly to: Upid;
  readonly name: string;
  readonly body: unknown;
  /** True when it came over the transport from another runtime. */
  readonly remote: boolean;
}

/** Which messages a filter applies to; every given field must match. */
export interface MessageMatch {
  readonly name?: string;
  readonly from?: Upid | string;
  readonly to?: Upid | string;
  readonly where?: (message: FilteredMessage) => boolean;
}

export interface FilterHandle {
  /** How many messages this filter has caught so far. */
  readonly caught: number;
  /** Resolves with the first message caught. */
  readonly first: Promise<FilteredMessage>;
  remove(): void;
}

type Verdict = 'deliver' | 'drop' | { readonly delayMs: number };

interface Filter {
  readonly match: MessageMatch;
  readonly verdict: Verdict;
  /** Remaining messages to catch; Infinity for no limit. */
  remaining: number;
  caught: number;
  resolveFirst: (message: FilteredMessage) => void;
}

function matches(match: MessageMatch, message: FilteredMessage): boolean {
  if (match.name !== undefined && match.name !== message.name) return false;
  if (match.from !== undefined && !sameProcess(match.from, message.from)) return false;
  if (match.to !== undefined && !sameProcess(match.to, message.to)) return false;
  return match.where === undefined || match.where(message);
}

/** A bare id (`master`) matches that process on any host; a full Upid must match exactly. */
function sameProcess(want: Upid | string, got: Upid): boolean {
  if (typeof want !== 'string') return want.equals(got);
  return want.includes('@') ? want === got.toString() : want === got.id;
}

/**
 * Test hooks on a runtime's deliveries, like libprocess's FUTURE_MESSAGE, DROP_MESSAGE and
 * delays: await a message, drop chosen messages, or hold them back for a while. Filters see
 * every message, local or remote, just before it enters the receiver's mailbox. The first
 * filter (in the order added) that matches decides.
 */
export class MessageFilters {
  private readonly filters: Filter[] = [];

  get active(): boolean {
    return this.filters.length > 0;
  }

  /** Resolves when a matching message is delivered (it is still delivered). */
  await(match: MessageMatch): Promise<FilteredMessage> {
    return this.add(match, 'deliver', 1).first;
  }

  /** Drops matching messages (`count` of them, or all until removed). */
  drop(match: MessageMatch, count = Infinity): FilterHandle {
    return this.add(match, 'drop', count);
  }

  /** Delivers matching messages `delayMs` late, on the runtime's clock. */
  delay(match: MessageMatch, delayMs: number, count = Infinity): FilterHandle {
    return this.add(match, { delayMs }, count);
  }

  clear(): void {
    this.filters.length = 0;
  }

  /** What to do with a message; called by the runtime for every delivery while any filter is active. */
  decide(message: FilteredMessage): Verdict {
    for (let i = 0; i < this.filters.length; i++) {
      const filter = this.filters[i]!;
      if (!matches(filter.match, message)) continue;
      filter.caught += 1;
      filter.remaining -= 1;
      if (filter.remaining <= 0) this.filters.splice(i, 1);
      filter.resolveFirst(message);
      return filter.verdict;
    }
    return 'deliver';
  }

  private add(match: MessageMatch, verdict: Verdict, count: number): FilterHandle {
    let resolveFirst: (message: FilteredMessage) => void = () => undefined;
    const first = new Promise<FilteredMessage>((resolve) => {
      resolveFirst = resolve;
    });
    const filter: Filter = { match, verdict, remaining: count, caught: 0, resolveFirst };
    this.filters.push(filter);
    return {
      get caught() {
        return filter.caught;
      },
      first,
      remove: () => {
        const at = this.filters.indexOf(filter);
        if (at >= 0) this.filters.splice(at, 1);
      },
    };
  }
}
