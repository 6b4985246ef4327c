import { createHash, type Hash } from 'node:crypto';

/**
 * What happened in a run, line by line: `[  12.500s #25] agent-2 crashed`. Every line feeds a
 * running hash (two runs of one seed must give the same hash, byte for byte) and a ring of
 * the most recent lines, printed when an invariant breaks. Lines carry virtual time only.
 */
export class Trace {
  private readonly hash: Hash = createHash('sha256');
  private readonly ring: string[] = [];
  private next = 0;
  private count = 0;

  constructor(
    private readonly now: () => number,
    private readonly step: () => number,
    private readonly keep = 200,
    /** Every line as it is written (`--trace`). */
    private readonly echo?: (line: string) => void,
  ) {}

  add(node: string, text: string): void {
    const line = `[${(this.now() / 1000).toFixed(3).padStart(9)}s #${this.step()}] ${node} ${text}`;
    this.hash.update(line);
    this.hash.update('\n');
    this.count++;
    if (this.ring.length < this.keep) this.ring.push(line);
    else this.ring[this.next] = line;
    this.next = (this.next + 1) % this.keep;
    this.echo?.(line);
  }

  /** The most recent lines, oldest first. */
  recent(): string[] {
    return this.ring.length < this.keep ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  get lines(): number {
    return this.count;
  }

  /** The hash of every line so far (a copy: the trace goes on). */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
