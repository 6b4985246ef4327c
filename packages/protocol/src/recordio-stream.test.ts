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
});
