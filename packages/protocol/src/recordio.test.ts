import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRecord, RecordIoDecoder, RecordIoError } from './recordio.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('RecordIO', () => {
  it('frames a record as its byte length, a newline, and the bytes', () => {
    expect(text(encodeRecord('{"type":"HEARTBEAT"}'))).toBe('20\n{"type":"HEARTBEAT"}');
    expect(text(encodeRecord('héllo'))).toBe('6\nhéllo');
  });

  it('decodes any split of a stream of records into the same records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 50 }),
        (records, cuts) => {
          const stream = Buffer.concat(records.map((r) => encodeRecord(r)));
          const decoder = new RecordIoDecoder();
          const got: string[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const size = cuts[i % cuts.length]!;
            for (const record of decoder.decode(stream.subarray(at, at + size))) got.push(text(record));
            at += size;
          }
          expect(got).toEqual(records);
          expect(decoder.idle).toBe(true);
        },
      ),
    );
  });

  it('decodes many records joined in one chunk', () => {
    const decoder = new RecordIoDecoder();
    const chunk = Buffer.concat([encodeRecord('a'), encodeRecord(''), encodeRecord('bc')]);
    expect(decoder.decode(chunk).map(text)).toEqual(['a', '', 'bc']);
  });

  it('rejects malformed prefixes and oversized records', () => {
    expect(() => new RecordIoDecoder().decode(Buffer.from('x\n'))).toThrow(RecordIoError);
    expect(() => new RecordIoDecoder().decode(Buffer.from('\nabc'))).toThrow('empty');
    expect(() => new RecordIoDecoder(10).decode(Buffer.from('11\n'))).toThrow('exceeds the limit of 10 bytes');
    expect(() => new RecordIoDecoder().decode(Buffer.from('1'.repeat(30)))).toThrow('more than 16 digits');
    expect(() => new RecordIoDecoder().decode(Buffer.from('1x\n'))).toThrow('byte 0x78 is not a digit');
  });

  it('joins a length prefix cut in two, and guards the size once the prefix is whole', () => {
    const decoder = new RecordIoDecoder(20);
    expect(decoder.decode(Buffer.from('1'))).toEqual([]);
    expect(decoder.idle).toBe(false);
    expect(decoder.decode(Buffer.from('2\nhello ')).map(text)).toEqual([]);
    expect(decoder.decode(Buffer.from('world!3\nabc')).map(text)).toEqual(['hello world!', 'abc']);
    expect(decoder.idle).toBe(true);
    const small = new RecordIoDecoder(20);
    expect(small.decode(Buffer.from('2'))).toEqual([]);
    expect(() => small.decode(Buffer.from('1\n'))).toThrow('RecordIO record of 21 bytes exceeds the limit of 20 bytes');
  });

  it('keeps a partial record intact when the caller reuses its buffer', () => {
    const decoder = new RecordIoDecoder();
    const buffer = Buffer.from('6\nabc');
    expect(decoder.decode(buffer)).toEqual([]);
    buffer.fill(0x7a);
    expect(decoder.decode(Buffer.from('def')).map(text)).toEqual(['abcdef']);
  });
});
