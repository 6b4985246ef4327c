/**
 * RecordIO, the framing of the Mesos v1 streaming APIs (docs/recordio.md): each record is
 * its length in bytes as decimal ASCII, a newline, then the record: `5\nhello`.
 */
const encoder = new TextEncoder();
const NEWLINE = 0x0a;
/** Lengths are decimal ASCII; 16 digits is already far beyond any record we would accept. */
const MAX_PREFIX_DIGITS = 16;

export function encodeRecord(record: string | Uint8Array): Uint8Array {
  const body = typeof record === 'string' ? encoder.encode(record) : record;
  const header = encoder.encode(`${body.length}\n`);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

export class RecordIoError extends Error {
  readonly _tag = 'RecordIoError';
}

/**
 * A streaming decoder: feed it chunks as they arrive, in any split (a record across many
 * chunks, many records in one chunk, a length prefix cut in two), and it hands back every
 * record completed so far. A malformed length prefix or a record over `maxRecordBytes`
 * throws `RecordIoError`; the stream cannot be trusted after that.
 */
export class RecordIoDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** Length of the record being read, once its prefix is complete. */
  private expected: number | undefined;
  private prefix = '';

  /** `maxRecordBytes` guards memory against a peer announcing a huge record (default 64 MiB). */
  constructor(private readonly maxRecordBytes = 64 * 1024 * 1024) {}

  /** Records completed by this chunk (possibly none). */
  decode(chunk: Uint8Array): Uint8Array[] {
    const records: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.expected === undefined) {
        const newline = chunk.indexOf(NEWLINE, at);
        const end = newline < 0 ? chunk.length : newline;
        if (this.prefix.length + (end - at) > MAX_PREFIX_DIGITS) {
          throw new RecordIoError(`Invalid RecordIO length prefix: more than ${MAX_PREFIX_DIGITS} digits`);
        }
        for (let i = at; i < end; i++) {
          const c = chunk[i]!;
          if (c < 0x30 || c > 0x39) throw new RecordIoError(`Invalid RecordIO length prefix: byte 0x${c.toString(16).padStart(2, '0')} is not a digit`);
          this.prefix += String.fromCharCode(c);
        }
        if (newline < 0) break;
        if (this.prefix === '') throw new RecordIoError('Invalid RecordIO length prefix: empty');
        const length = Number(this.prefix);
        if (length > this.maxRecordBytes) {
          throw new RecordIoError(`RecordIO record of ${length} bytes exceeds the limit of ${this.maxRecordBytes} bytes`);
        }
        this.expected = length;
        this.prefix = '';
        at = newline + 1;
        if (length === 0) {
          records.push(new Uint8Array(0));
          this.expected = undefined;
        }
        continue;
      }
      const want = this.expected - this.buffered;
      const take = Math.min(want, chunk.length - at);
      // A piece held for a later chunk is copied (a Node Buffer's slice would not copy): the caller may reuse its buffer.
      const piece = chunk.subarray(at, at + take);
      this.chunks.push(this.buffered + take === this.expected ? piece : new Uint8Array(piece));
      this.buffered += take;
      at += take;
      if (this.buffered === this.expected) {
        records.push(this.assemble());
        this.expected = undefined;
      }
    }
    return records;
  }

  /** True when no partial record is buffered (a clean place for the stream to end). */
  get idle(): boolean {
    return this.expected === undefined && this.prefix === '';
  }

  private assemble(): Uint8Array {
    const out = this.chunks.length === 1 ? new Uint8Array(this.chunks[0]!) : new Uint8Array(this.buffered);
    if (this.chunks.length !== 1) {
      let offset = 0;
      for (const chunk of this.chunks) {
        out.set(chunk, offset);
        offset += chunk.length;
      }
    }
    this.chunks = [];
    this.buffered = 0;
    return out;
  }
}
