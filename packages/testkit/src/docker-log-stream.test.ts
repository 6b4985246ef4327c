import { describe, expect, it } from 'vitest';
import { demuxDockerLogs } from './docker-log-stream.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxDockerLogs', () => {
  it('splits frames into stdout and stderr, in order', () => {
    const raw = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err\n'), frame(1, 'out 2\n'), frame(1, '')]);
    expect(demuxDockerLogs(raw)).toEqual({ stdout: 'out 1\nout 2\n', stderr: 'err\n' });
    expect(demuxDockerLogs(Buffer.alloc(0))).toEqual({ stdout: '', stderr: '' });
  });

  it('keeps multi-byte characters split across frames intact', () => {
    const bytes = Buffer.from('é');
    const raw = Buffer.concat([frame(1, ''), Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]), bytes.subarray(0, 1), Buffer.from([1, 0, 0, 0, 0, 0, 0, 1]), bytes.subarray(1)]);
    expect(demuxDockerLogs(raw).stdout).toBe('é');
  });

  it('rejects truncated or foreign streams', () => {
    expect(() => demuxDockerLogs(frame(1, 'hello').subarray(0, 10))).toThrow('Invalid Docker log frame at byte 0: stream 1, length 5, 2 bytes left');
    expect(() => demuxDockerLogs(Buffer.from('hi'))).toThrow('Truncated Docker log frame header at byte 0 of 2');
    expect(() => demuxDockerLogs(Buffer.from('plain text, a TTY log'))).toThrow(/Invalid Docker log frame/);
  });
});
