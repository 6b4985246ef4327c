import { describe, expect, it } from 'vitest';
import { RecordIoDecoder } from './recordio.js';
import { RecordIoStream } from './recordio-stream.js';

/** Reads chunks until `count` records have come, and decodes them as a client does. */
async function read(stream: RecordIoStream, count: number): Promise<{ events: unknown[]; chunks: number }> {
  const decoder = new RecordIoDecoder();
  const events: unknown[] = [];
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    for (const record of decoder.decode(Buffer.from(chunk, 'utf8'))) events.push(JSON.parse(Buffer.from(record).toString('utf8')));
    if (events.length >= count) break;
  }
  return { events, chunks };
}

describe('RecordIoStream', () => {
  it('frames each event with its length in UTF-8 bytes, non-ASCII text included, and hands a turn\'s events over as one chunk', async () => {
    const stream = new RecordIoStream('s');
    const events = [{ type: 'SUBSCRIBED' }, { type: 'MESSAGE', data: 'café ☕ 𝄞' }, { type: 'HEARTBEAT' }];
    const reading = read(stream, 3);
    for (const event of events) stream.push(event);
    const { events: got, chunks } = await reading;
    expect(got).toEqual(events);
    expect(chunks).toBe(1);
    // The prefix counts bytes, not UTF-16 units: 'é' is 2 bytes, '☕' 3, '𝄞' 4.
    const text = JSON.stringify(events[1]);
    const raw = new RecordIoStream('t');
    raw.pushJson(text);
    raw.close();
    let framed = '';
    for await (const chunk of raw) framed += chunk;
    expect(framed).toBe(`${text.length + 1 + 2 + 2}\n${text}`);
  });

  it('delivers what was queued before a close, then ends; past maxQueuedBytes it closes and refuses more', async () => {
    const stream = new RecordIoStream('s', 100);
    expect(stream.push({ n: 1 })).toBe(true);
    stream.close();
    expect(stream.push({ n: 2 })).toBe(false);
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual(['7\n{"n":1}']);
    const small = new RecordIoStream('t', 100);
    expect(small.pushJson(`"${'x'.repeat(60)}"`)).toBe(true);
    expect(small.pushJson(`"${'x'.repeat(60)}"`)).toBe(false);
    expect(small.isClosed).toBe(true);
  });

  it('queues an event given in pieces, framed by its byte length, and hands it over a slice at a time', async () => {
    const stream = new RecordIoStream('s');
    const pieces = ['{"type":"SUBSCRIBED","big":"', ...Array.from({ length: 40 }, (_, i) => `${i % 10}`.repeat(10_000) + 'é'), '"}'];
    expect(stream.pushChunks(pieces, Buffer.byteLength(pieces.join('')))).toBe(true);
    stream.push({ type: 'HEARTBEAT' });
    stream.close();
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3); // 400,000 characters in slices of about 64K (the last one holds the heartbeat)
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual((1 << 16) + 10_001); // 64K and at most one piece more
    const decoder = new RecordIoDecoder();
    const records = chunks.flatMap((c) => decoder.decode(Buffer.from(c, 'utf8')).map((r) => Buffer.from(r).toString('utf8')));
    expect(records).toEqual([pieces.join(''), '{"type":"HEARTBEAT"}']);
  });

  it('takes one event larger than maxQueuedBytes when nothing waits, and counts the bound from it until the queue drains', async () => {
    const stream = new RecordIoStream('s', 100);
    expect(stream.pushChunks(['"', 'x'.repeat(500), '"'], 502)).toBe(true); // a snapshot bigger than the bound
    expect(stream.pushJson(`"${'y'.repeat(60)}"`)).toBe(true); // within 100 bytes beyond it
    expect(stream.pushJson(`"${'y'.repeat(60)}"`)).toBe(false); // a reader that does not read is still cut off
    expect(stream.isClosed).toBe(true);
    const drained = new RecordIoStream('t', 100);
    expect(drained.pushChunks(['"', 'x'.repeat(500), '"'], 502)).toBe(true);
    const reader = drained[Symbol.asyncIterator]();
    await reader.next(); // read: the queue is empty again, and the bound is 100 bytes once more
    expect(drained.pushJson(`"${'y'.repeat(60)}"`)).toBe(true);
    expect(drained.pushJson(`"${'y'.repeat(60)}"`)).toBe(false);
    // Only an event that finds the queue empty may exceed the bound: behind another it closes the stream.
    const behind = new RecordIoStream('u', 100);
    expect(behind.pushJson('1')).toBe(true);
    expect(behind.pushChunks(['"', 'x'.repeat(500), '"'], 502)).toBe(false);
  });
});
