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
    const before = this.entries[from - 1];
    const after = this.entries[from + 1];
    if ((before === undefined || before.share < share || (before.share === share && before.name < name)) && (after === undefined || after.share > share || (after.share === share && after.name > name))) {
      // Still between its neighbours (a role alone at its level, say): no move.
      entry.share = share;
      return;
    }
    this.entries.splice(from, 1);
    entry.share = share;
    this.entries.splice(this.search(share, name), 0, entry);
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

  /** First index whose key is >= (share, name). */
  private search(share: number, name: string): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.share < share || (e.share === share && e.name < name)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
