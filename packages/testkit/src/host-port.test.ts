import { describe, expect, it } from 'vitest';
import { parseConnectString, parseHostPort } from './host-port.js';

describe('parseHostPort', () => {
  it('splits host and port, with IPv6 in brackets', () => {
    expect(parseHostPort('127.0.0.1:2181')).toEqual({ host: '127.0.0.1', port: 2181 });
    expect(parseHostPort('[::1]:2181')).toEqual({ host: '::1', port: 2181 });
  });

  it('rejects addresses without a usable port, quoting them', () => {
    for (const bad of ['127.0.0.1', ':2181', 'zk:0', 'zk:65536', 'zk:21x1']) {
      expect(() => parseHostPort(bad)).toThrow(`Invalid address '${bad}': expected 'host:port' with a port in 1-65535`);
    }
  });
});

describe('parseConnectString', () => {
  it('lists the members and drops a chroot suffix', () => {
    expect(parseConnectString('a:1, b:2,c:3/mesos')).toEqual(['a:1', 'b:2', 'c:3']);
  });

  it('rejects an empty or malformed connect string', () => {
    expect(() => parseConnectString('/mesos')).toThrow("Invalid ZooKeeper connect string '/mesos': no members");
    expect(() => parseConnectString('a:1,b')).toThrow("Invalid address 'b'");
  });
});
