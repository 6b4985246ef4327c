/**
 * Items kept sorted by (share, name), lowest share first, with cheap updates: changing one
 * item's share moves it by binary search and one splice, instead of re-sorting everything.
 * DRF re-orders after every allocation, so this is the allocator's hot structure.
 */
export class ShareOrder<T> {
  private readonly entries: { item: T; share: number; name: string }[] = [];
  private readonly byName = new Map<string, { item: T; share: number; name: string }>();

  get size(): number {
    return this.entries.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  add(name: string, item: T, share: number): void {
    if (this.byName.has(name)) throw new Error(`'${name}' is already in this order`);
    const entry = { item, share, name };
    this.byName.set(name, entry);
    this.entries.splice(this.search(share, name), 0, entry);
  }

  remove(name: string): void {
    const entry = this.byName.get(name);
    if (entry === undefined) return;
    this.entries.splice(this.indexOf(entry), 1);
    this.byName.delete(name);
  }

  update(name: string, share: number): void {
    const entry = this.byName.get(name);
    if (entry === undefined || entry.share === share) return;
    const from = this.indexOf(entry);
    entry.share = share;
    // Slide the entries between its old and new place by one, instead of two splices.
    const entries = this.entries;
    let at = from;
    if (from + 1 < entries.length && before(entries[from + 1]!, entry)) {
      const to = this.search(share, name, from + 1) - 1;
      entries.copyWithin(from, from + 1, to + 1);
      at = to;
    } else if (from > 0 && before(entry, entries[from - 1]!)) {
      const to = this.search(share, name, 0, from);
      entries.copyWithin(to + 1, to, from);
      at = to;
    }
    entries[at] = entry;
  }

  share(name: string): number | undefined {
    return this.byName.get(name)?.share;
  }

  /** The items, lowest share first (ties by name). Do not change shares while iterating. */
  items(): T[] {
    return this.entries.map((e) => e.item);
  }

  /** The i-th item in order. */
  at(i: number): T | undefined {
    return this.entries[i]?.item;
  }

  private indexOf(entry: { share: number; name: string }): number {
    const at = this.search(entry.share, entry.name);
    if (this.entries[at]?.name !== entry.name) throw new Error(`ShareOrder lost track of '${entry.name}'`);
    return at;
  }

  /** First index in [lo, hi) whose key is >= (share, name). */
  private search(share: number, name: string, lo = 0, hi = this.entries.length): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.share < share || (e.share === share && e.name < name)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Whether `a` sorts before `b`: lower share first, then name. */
function before(a: { share: number; name: string }, b: { share: number; name: string }): boolean {
  return a.share < b.share || (a.share === b.share && a.name < b.name);
}
