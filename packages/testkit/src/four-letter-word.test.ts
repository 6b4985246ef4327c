import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fourLetterWord, isNotWhitelisted, parseServerMode } from './four-letter-word.js';

const SRVR = 'Zookeeper version: 3.8.0-debian\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\nZxid: 0x100000000\nMode: follower\nNode count: 5\n';
const MNTR = 'zk_version\t3.8.0-debian\nzk_server_state\tleader\nzk_znode_count\t5\n';

describe('parseServerMode', () => {
  it('reads the mode from srvr and mntr answers', () => {
    expect(parseServerMode(SRVR)).toBe('follower');
    expect(parseServerMode(MNTR)).toBe('leader');
    expect(parseServerMode('Mode: standalone\n')).toBe('standalone');
  });

  it('is undefined for answers without a known mode', () => {
    expect(parseServerMode('')).toBeUndefined();
    expect(parseServerMode('Zookeeper version: 3.8.0\n')).toBeUndefined();
    expect(parseServerMode('Mode: confused\n')).toBeUndefined();
  });

  it('recognises a refused (not whitelisted) word', () => {
    expect(isNotWhitelisted('srvr is not executed because it is not in the whitelist.\n')).toBe(true);
    expect(isNotWhitelisted('imok')).toBe(false);
  });
});

describe('fourLetterWord', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  function listen(onWord: (word: string, reply: (text: string | undefined) => void) => void): Promise<string> {
    // allowHalfOpen: a silent server must keep the connection open after the client's FIN.
    const s = createServer({ allowHalfOpen: true }, (socket) => {
      socket.once('data', (data) => onWord(data.toString(), (text) => (text === undefined ? undefined : socket.end(text))));
    });
    server = s;
    return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(s.address() as AddressInfo).port}`)));
  }

  it('sends the word and resolves with the whole answer', async () => {
    const address = await listen((word, reply) => reply(word === 'srvr' ? SRVR : 'imok'));
    expect(await fourLetterWord(address, 'ruok')).toBe('imok');
    expect(await fourLetterWord(address, 'srvr')).toBe(SRVR);
  });

  it('rejects with ETIMEDOUT when the server never answers', async () => {
    const address = await listen((_word, reply) => reply(undefined));
    await expect(fourLetterWord(address, 'ruok', 50)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });
});
