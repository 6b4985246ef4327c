import { fourLetterWord, isNotWhitelisted, parseServerMode, type ServerMode } from './four-letter-word.js';
import { parseConnectString } from './host-port.js';
import { SERVICES_COMMAND, ZOOKEEPER_ENSEMBLE, ZOOKEEPER_STANDALONE } from './service-addresses.js';
import { describeError, type ServiceProbe } from './service-probe.js';

export interface ZooKeeperProbe extends ServiceProbe {
  /** The connect string probed, ready for a ZooKeeper client: `host:port[,host:port...]`. */
  readonly connect: string;
  /** Each member's mode; `undefined` where the member did not say. */
  readonly members: readonly ZooKeeperMember[];
}

export interface ZooKeeperMember {
  readonly address: string;
  readonly mode: ServerMode | undefined;
}

export interface ZooKeeperProbeOptions {
  /** How long each four-letter word may take. */
  readonly timeoutMs?: number;
}

type MemberResult = { readonly ok: true; readonly member: ZooKeeperMember } | { readonly ok: false; readonly problem: string };

/** Asks one server `ruok`, then its mode through `srvr` (or `mntr` if `srvr` is refused). */
async function askMember(address: string, timeoutMs: number): Promise<MemberResult> {
  let answer: string;
  try {
    answer = await fourLetterWord(address, 'ruok', timeoutMs);
  } catch (error) {
    return { ok: false, problem: `ZooKeeper at ${address} did not answer ruok within ${timeoutMs} ms: ${describeError(error)}` };
  }
  if (answer !== 'imok') {
    const hint = isNotWhitelisted(answer) ? ` (add ruok to 4lw.commands.whitelist, as ${SERVICES_COMMAND} does)` : '';
    return { ok: false, problem: `ZooKeeper at ${address} answered ruok with '${answer.trim()}' instead of 'imok'${hint}` };
  }
  let mode: ServerMode | undefined;
  for (const word of ['srvr', 'mntr'] as const) {
    mode = parseServerMode(await fourLetterWord(address, word, timeoutMs).catch(() => ''));
    if (mode !== undefined) break;
  }
  return { ok: true, member: { address, mode } };
}

type Asked = { readonly ok: true; readonly members: ZooKeeperMember[]; readonly problems: string[] } | { readonly ok: false; readonly probe: ZooKeeperProbe };

/** Asks every server of a connect string; a malformed connect string is itself the probe's answer. */
async function askAll(name: string, connect: string, options: ZooKeeperProbeOptions): Promise<Asked> {
  let addresses: readonly string[];
  try {
    addresses = parseConnectString(connect);
  } catch (error) {
    return { ok: false, probe: { name, available: false, reason: describeError(error), connect, members: [] } };
  }
  const results = await Promise.all(addresses.map((address) => askMember(address, options.timeoutMs ?? 2000)));
  return {
    ok: true,
    members: results.flatMap((result) => (result.ok ? [result.member] : [])),
    problems: results.flatMap((result) => (result.ok ? [] : [result.problem])),
  };
}

/** A ZooKeeper server that answers `ruok` with `imok`. */
export async function probeZooKeeper(
  connect = process.env['TS_MESOS_ZK'] ?? ZOOKEEPER_STANDALONE,
  options: ZooKeeperProbeOptions = {},
): Promise<ZooKeeperProbe> {
  const name = 'ZooKeeper';
  const asked = await askAll(name, connect, options);
  if (!asked.ok) return asked.probe;
  const { members, problems } = asked;
  // A client needs one server that answers; report the failures only when none does.
  if (members.length === 0) return { name, available: false, reason: problems.join('; '), connect, members };
  const modes = members.map((member) => `${member.address} (${member.mode ?? 'mode unknown'})`).join(', ');
  return { name, available: true, reason: `ZooKeeper answers at ${modes}`, connect, members };
}

/** An ensemble whose every member answers `ruok` and in which exactly one member leads. */
export async function probeZooKeeperEnsemble(
  connect = process.env['TS_MESOS_ZK_ENSEMBLE'] ?? ZOOKEEPER_ENSEMBLE,
  options: ZooKeeperProbeOptions = {},
): Promise<ZooKeeperProbe> {
  const name = 'ZooKeeper ensemble';
  const asked = await askAll(name, connect, options);
  if (!asked.ok) return asked.probe;
  const { members, problems } = asked;
  if (problems.length > 0) return { name, available: false, reason: problems.join('; '), connect, members };
  const leaders = members.filter((member) => member.mode === 'leader');
  const modes = members.map((member) => `${member.address}=${member.mode ?? 'unknown'}`).join(', ');
  if (leaders.length !== 1) {
    return {
      name,
      available: false,
      reason: `ZooKeeper ensemble at ${connect} has ${leaders.length} leaders, expected exactly 1 (modes: ${modes})`,
      connect,
      members,
    };
  }
  return { name, available: true, reason: `ZooKeeper ensemble answers at ${connect} (${modes})`, connect, members };
}
