/**
 * Text in pieces, grouped as it comes and each group joined only when it is read. The pieces
 * are strings, which do not change, so what is read later is the text as it was when it was
 * made. Joined into megabyte chunks up front, a 50 MB answer was all fresh large objects,
 * each page of which faults once: on this VM a fault costs ~30 µs, 13,000 of them per answer.
 * A chunk joined when the socket wants it is small, young and garbage once written.
 */
export class TextChunks {
  private pieces: string[] = [];
  private size = 0;
  private readonly groups: string[][] = [];

  add(piece: string): void {
    this.pieces.push(piece);
    this.size += piece.length;
    if (this.size >= CHUNK_CHARS) this.cut();
  }

  /** Adds `items` separated by commas, each written by `write`. */
  list<T>(items: Iterable<T>, write: (item: T) => void): void {
    let comma = false;
    for (const item of items) {
      if (comma) this.add(',');
      write(item);
      comma = true;
    }
  }

  /** The text in chunks, each joined as it is read (as often as it is read). */
  end(): Iterable<string> {
    this.cut();
    const groups = this.groups;
    return {
      *[Symbol.iterator]() {
        for (const group of groups) yield group.join('');
      },
    };
  }

  /** The text's length in UTF-8 bytes, counted piece by piece (nothing is joined). */
  byteLength(): number {
    this.cut();
    let bytes = 0;
    for (const group of this.groups) for (const piece of group) bytes += Buffer.byteLength(piece, 'utf8');
    return bytes;
  }

  private cut(): void {
    if (this.pieces.length === 0) return;
    this.groups.push(this.pieces);
    this.pieces = [];
    this.size = 0;
  }
}

/** Under V8's large-object size (128 KiB) even as two-byte text. */
const CHUNK_CHARS = 1 << 15;
