/** Randomness, injected, so that a seeded run (tests, the simulator) replays exactly. */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
}

export class SystemRandom implements Random {
  next(): number {
    return Math.random();
  }
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same sequence. */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
}
