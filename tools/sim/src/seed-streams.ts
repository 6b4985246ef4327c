import { type Random, SeededRandom } from '@ts-mesos/libprocess';

/** FNV-1a over a name: stable, so a stream's sequence does not depend on who asked first. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Independent seeded random streams, one per name (`faults`, `agent-3`, `framework-1`), all
 * derived from the run's seed. A node gets its own stream so that adding a draw in one place
 * does not shift every other node's choices.
 */
export class SeedStreams {
  constructor(readonly seed: number) {}

  random(name: string): SeededRandom {
    return new SeededRandom((Math.imul(this.seed >>> 0, 0x9e3779b1) ^ hashName(name)) >>> 0);
  }
}

/** Random bytes drawn from a seeded stream (for status update UUIDs). */
export function bytesFrom(random: Random): (size: number) => Uint8Array {
  return (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(random.next() * 256);
    return bytes;
  };
}

/** Version-4-shaped UUIDs drawn from a seeded stream (for container and stream IDs). */
export function uuidFrom(random: Random): () => string {
  const bytes = bytesFrom(random);
  return () => {
    const b = bytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(b).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** A whole number in [low, high]. */
export function between(random: Random, low: number, high: number): number {
  return low + Math.floor(random.next() * (high - low + 1));
}

/** One of the items, chosen uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error('Cannot pick from no items');
  return items[Math.floor(random.next() * items.length)]!;
}
