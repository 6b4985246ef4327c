import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidUpidError, Upid } from './index.js';

describe('Upid', () => {
  it('parses and formats id@host:port', () => {
    const pid = Upid.parse('slave(1)@10.0.0.2:5051');
    expect(pid.id).toBe('slave(1)');
    expect(pid.host).toBe('10.0.0.2');
    expect(pid.port).toBe(5051);
    expect(pid.toString()).toBe('slave(1)@10.0.0.2:5051');
    expect(JSON.stringify({ pid })).toBe('{"pid":"slave(1)@10.0.0.2:5051"}');
  });

  it('brackets IPv6 hosts', () => {
    const pid = Upid.parse('master@[::1]:5050');
    expect(pid.host).toBe('::1');
    expect(pid.toString()).toBe('master@[::1]:5050');
  });

  it.each(['', 'master', 'master@', '@host:1', 'master@host', 'master@host:', 'master@host:99999', 'm@::1:5050', 'm@host:5x'])(
    'rejects %j',
    (text) => {
      expect(Upid.tryParse(text)).toBeUndefined();
      expect(() => Upid.parse(text)).toThrow(InvalidUpidError);
    },
  );

  it('round-trips any id, host and port', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9()_.-]{0,20}$/),
        fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
        fc.integer({ min: 0, max: 65535 }),
        (id, host, port) => {
          const pid = new Upid(id, host, port);
          expect(Upid.parse(pid.toString()).equals(pid)).toBe(true);
        },
      ),
    );
  });
});
