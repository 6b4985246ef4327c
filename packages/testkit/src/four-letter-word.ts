import { connect } from 'node:net';
import { parseHostPort } from './host-port.js';

/** The four-letter words `tools/services` whitelists (`4lw.commands.whitelist`). */
export type FourLetterWord = 'ruok' | 'srvr' | 'stat' | 'mntr' | 'conf';

/** A ZooKeeper server's role, as `srvr` (`Mode:`) and `mntr` (`zk_server_state`) report it. */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

const MODES: readonly string[] = ['standalone', 'leader', 'follower', 'observer', 'read-only'];

/**
 * Sends a four-letter word to the ZooKeeper server at `address` and resolves with its whole
 * answer (the server closes the connection after answering). Rejects with the socket error
 * (`code` ECONNREFUSED, ...) or, after `timeoutMs`, with an error whose code is `ETIMEDOUT`.
 */
export function fourLetterWord(address: string, word: FourLetterWord, timeoutMs = 2000): Promise<string> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`no answer to '${word}' within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The server's mode from a `srvr`/`stat` answer (`Mode: leader`) or a `mntr` answer (`zk_server_state\tleader`). */
export function parseServerMode(answer: string): ServerMode | undefined {
  const match = /^(?:Mode: |zk_server_state\t)(\S+)\s*$/m.exec(answer);
  const mode = match?.[1];
  return mode !== undefined && MODES.includes(mode) ? (mode as ServerMode) : undefined;
}

/** ZooKeeper's answer to a word missing from `4lw.commands.whitelist`. */
export function isNotWhitelisted(answer: string): boolean {
  return answer.includes('is not in the whitelist') || answer.includes('is not executed because');
}
