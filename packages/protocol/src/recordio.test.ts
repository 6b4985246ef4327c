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
    expect(() => new RecordIoDecoder().decode(Buffer.from('1'.repeat(30)))).toThrow('too long');
  });
});
