import { connect } from 'node:net';
import { found, missing, type ServiceProbe } from './service-probe.js';

/** Where `tools/services` starts ZooKeeper; `TS_MESOS_ZK` / `TS_MESOS_ZK_ENSEMBLE` override. */
export const ZOOKEEPER_STANDALONE = '127.0.0.1:2181';
export const ZOOKEEPER_ENSEMBLE = '127.0.0.1:2182,127.0.0.1:2183,127.0.0.1:2184';

export interface ZooKeeperProbe extends ServiceProbe {
  /** `host:port,host:port`, ready for a ZooKeeper client or a `zk://` URL. */
  readonly connect: string;
}

/** Sends a four-letter word (`ruok`, `srvr`, ...) and resolves with the whole answer. */
export function fourLetterWord(hostPort: string, word: string, timeoutMs = 2000): Promise<string> {
  const { host, port } = splitHostPort(hostPort);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to '${word}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString());
    });
  });
}

/** The `Mode:` line of a `srvr` answer: `standalone`, `leader`, `follower`, or undefined. */
export function parseMode(srvr: string): string | undefined {
  return /^Mode: (\w+)$/m.exec(srvr)?.[1];
}

export function splitHostPort(hostPort: string): { host: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Invalid address '${hostPort}': expected 'host:port'`);
  }
  return { host: hostPort.slice(0, colon), port };
}

async function ruok(hostPort: string): Promise<string | undefined> {
  try {
    const answer = await fourLetterWord(hostPort, 'ruok');
    return answer === 'imok' ? undefined : `answered '${answer}' to 'ruok'`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A standalone ZooKeeper that answers `ruok` with `imok`. */
export async function probeZooKeeper(connectString = process.env['TS_MESOS_ZK'] ?? ZOOKEEPER_STANDALONE): Promise<ZooKeeperProbe> {
  const problem = await ruok(connectString);
  return problem === undefined
    ? { ...found('ZooKeeper', `answers at ${connectString}`), connect: connectString }
    : { ...missing('ZooKeeper', `ZooKeeper at ${connectString} is not usable: ${problem}`), connect: connectString };
}

/** An ensemble whose members all answer and which has exactly one leader. */
export async function probeZooKeeperEnsemble(
  connectString = process.env['TS_MESOS_ZK_ENSEMBLE'] ?? ZOOKEEPER_ENSEMBLE,
): Promise<ZooKeeperProbe> {
  const members = connectString.split(',');
  const problems: string[] = [];
  const modes: string[] = [];
  for (const member of members) {
    const problem = await ruok(member);
    if (problem !== undefined) {
      problems.push(`${member}: ${problem}`);
      continue;
    }
    modes.push(parseMode(await fourLetterWord(member, 'srvr').catch(() => '')) ?? 'unknown');
  }
  const leaders = modes.filter((mode) => mode === 'leader').length;
  if (problems.length === 0 && leaders !== 1) problems.push(`expected one leader, found modes ${modes.join(', ')}`);
  return problems.length === 0
    ? { ...found('ZooKeeper ensemble', `${members.length} members at ${connectString}, one leader`), connect: connectString }
    : { ...missing('ZooKeeper ensemble', `ZooKeeper ensemble at ${connectString} is not usable: ${problems.join('; ')}`), connect: connectString };
}
