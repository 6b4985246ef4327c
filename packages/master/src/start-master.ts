import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllocator } from '@ts-mesos/allocator';
import { formatFlags, type FlagValues } from '@ts-mesos/cli';
import { type Address, type Logger, MetricsProcess, MetricsRegistry, Runtime, Upid, WebSocketTransport } from '@ts-mesos/libprocess';
import type { MasterInfo } from '@ts-mesos/protocol';
import { LeaderContender, LeaderDetector, leadingMasterOf, parseZkUrl, type ZkUrl, ZkSession, waitForMembers } from '@ts-mesos/zk-election';
import { MASTER_FLAGS } from './master-flags.js';
import { masterInfo } from './master-info.js';
import { MasterProcess } from './master-process.js';
import { FileRegistry, MemoryRegistry, type Registry } from './registry.js';
import { StandbyProcess } from './standby-process.js';
import { MESOS_API_VERSION } from './version.js';
import { ZkRegistry } from './zk-registry.js';

export type MasterFlags = FlagValues<typeof MASTER_FLAGS>;

export class MasterConfigError extends Error {
  readonly _tag = 'MasterConfigError';
}

export interface RunningMaster {
  readonly runtime: Runtime;
  /** `master@ip:port`: a MasterProcess while this master leads, a StandbyProcess before. */
  readonly pid: Upid;
  readonly address: Address;
  /** `http://ip:port` */
  readonly url: string;
  readonly info: MasterInfo;
  stop(): Promise<void>;
}

export interface StartMasterOptions {
  /**
   * The master must stop acting at once (it lost leadership, or its registry could not be
   * written). `mesos-master` exits (Mesos's master does too); a supervisor restarts it as a
   * standby. Without a handler the runtime is stopped.
   */
  readonly onFatal?: (message: string) => void;
}

function openRegistry(flags: MasterFlags): Registry {
  if (flags.registry === 'in_memory') return new MemoryRegistry();
  if (flags.work_dir === undefined) {
    throw new MasterConfigError(`--work_dir is needed for the '${flags.registry}' registry (or use --registry=in_memory)`);
  }
  return new FileRegistry(join(flags.work_dir, 'registry.log'));
}

function processOptions(flags: MasterFlags, info: MasterInfo, metrics: MetricsRegistry, startTimeMs: number) {
  return {
    info,
    allocationIntervalMs: flags.allocation_interval,
    ...(flags.offer_timeout > 0 ? { offerTimeoutMs: flags.offer_timeout } : {}),
    agentPingTimeoutMs: flags.agent_ping_timeout,
    maxAgentPingTimeouts: flags.max_agent_ping_timeouts,
    maxCompletedTasksPerFramework: flags.max_completed_tasks_per_framework,
    maxCompletedFrameworks: flags.max_completed_frameworks,
    heartbeatIntervalSeconds: flags.heartbeat_interval / 1000,
    agentReregisterTimeoutMs: flags.agent_reregister_timeout,
    registryGc: { maxAgeMs: flags.registry_max_agent_age, maxCount: flags.registry_max_agent_count, intervalMs: flags.registry_gc_interval },
    flags: formatFlags(MASTER_FLAGS, flags),
    version: MESOS_API_VERSION,
    metrics,
    startTimeMs,
    ...(flags.webui_dir === undefined ? {} : { webuiDir: flags.webui_dir }),
  };
}

/**
 * Starts a master in this process: binds `--ip`:`--port`, recovers the registry, spawns
 * `master`. With `--zk` it first contends for leadership and serves as a standby until elected.
 */
export async function startMaster(flags: MasterFlags, logger: Logger, options: StartMasterOptions = {}): Promise<RunningMaster> {
  if (flags.webui_dir !== undefined && !existsSync(join(flags.webui_dir, 'index.html'))) {
    logger.warn({ webui_dir: flags.webui_dir }, `No web UI at '${flags.webui_dir}' (no index.html): / answers 404 (--webui_dir)`);
  }
  if (flags.zk !== undefined) {
    const url = parseZkUrl(flags.zk);
    if (!url.ok) throw new MasterConfigError(`Invalid --zk: ${url.error}`);
    if (flags.quorum === undefined) throw new MasterConfigError('--quorum is required with --zk (a majority of the masters, e.g. 2 of 3)');
    return startElectedMaster(flags, url.value, flags.quorum, logger, options);
  }
  const registry = openRegistry(flags);
  const allocator = await loadAllocator(flags.allocator);
  const startTimeMs = Date.now();
  const runtime = new Runtime({ transport: new WebSocketTransport({ host: flags.ip, port: flags.port, logger }), delegate: 'master', logger });
  const address = await runtime.start();
  const info = masterInfo(randomUUID(), address.host, address.port, flags.hostname ?? flags.ip, MESOS_API_VERSION);
  const metrics = new MetricsRegistry();
  runtime.spawn(new MetricsProcess(metrics));
  const pid = runtime.spawn(
    new MasterProcess({
      ...processOptions(flags, info, metrics, startTimeMs),
      registry,
      allocator,
      onFatal: (message) => {
        logger.error({ reason: message }, 'The master cannot go on');
        if (options.onFatal !== undefined) options.onFatal(message);
        else void runtime.stop();
      },
    }),
  );
  return { runtime, pid, address, info, url: `http://${address.host}:${address.port}`, stop: () => runtime.stop() };
}

/** `--zk`: join the election, serve as a standby, and become the master once elected. */
async function startElectedMaster(flags: MasterFlags, zk: ZkUrl, quorum: number, logger: Logger, options: StartMasterOptions): Promise<RunningMaster> {
  const allocator = await loadAllocator(flags.allocator);
  const startTimeMs = Date.now();
  const session = await ZkSession.connect(zk.servers, { sessionTimeoutMs: flags.zk_session_timeout, ...(zk.digest === undefined ? {} : { digest: zk.digest }) }).catch((error: unknown) => {
    throw new MasterConfigError(`Cannot reach ZooKeeper for --zk: ${error instanceof Error ? error.message : String(error)}`);
  });
  const runtime = new Runtime({ transport: new WebSocketTransport({ host: flags.ip, port: flags.port, logger }), delegate: 'master', logger });
  const address = await runtime.start();
  const info = masterInfo(randomUUID(), address.host, address.port, flags.hostname ?? flags.ip, MESOS_API_VERSION);
  const metrics = new MetricsRegistry();
  runtime.spawn(new MetricsProcess(metrics));
  const standby = new StandbyProcess({ flags: formatFlags(MASTER_FLAGS, flags), self: info.pid!, metrics, startTimeMs });
  const standbyPid = runtime.spawn(standby);
  const log = logger.child({ zk: `${zk.servers}${zk.path}`, session: session.id });

  let stopped = false;
  const contender = new LeaderContender(session, zk.path, Buffer.from(JSON.stringify(info)));
  const detector = new LeaderDetector(session, zk.path);
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    detector.stop();
    await contender.withdraw();
    session.close();
    await runtime.stop();
  };
  const fatal = (message: string): void => {
    if (stopped) return;
    log.error({ reason: message }, 'The master must stop acting');
    if (options.onFatal !== undefined) {
      stopped = true;
      options.onFatal(message);
    } else void stop();
  };

  session.on('disconnected', () => log.warn({}, 'Disconnected from ZooKeeper; reconnecting'));
  session.on('connected', () => log.info({}, 'Connected to ZooKeeper again'));
  detector.on('leader', (leader) => {
    standby.leader = leader === undefined ? undefined : leadingMasterOf(leader.info);
    log.info({ leader: leader?.info.pid ?? null, node: leader?.node ?? null }, leader === undefined ? 'No master is leading' : 'Detected the leading master');
  });
  detector.on('invalid', (node, error) => log.warn({ node, error }, 'A group member holds no MasterInfo'));
  detector.on('trouble', (error) => log.warn({ error }, 'Leader detection failed; retrying'));
  contender.on('lost', (reason) => fatal(`Lost leadership or candidacy: ${reason}`));
  contender.on('elected', () => {
    void (async () => {
      log.info({ node: contender.node }, 'Elected as the leading master');
      const members = await waitForMembers(session, zk.path, quorum, (present) => log.info({ present, quorum }, 'Waiting for a quorum of masters before recovering the registry'));
      const registry = flags.registry === 'in_memory' ? new MemoryRegistry() : new ZkRegistry(session, `${zk.path}/registry`, contender.node!);
      if (registry instanceof ZkRegistry) await registry.load();
      const recovered = registry.recover();
      if (stopped || !contender.isElected) return;
      runtime.terminate(standbyPid);
      await runtime.wait(standbyPid);
      runtime.spawn(new MasterProcess({ ...processOptions(flags, info, metrics, startTimeMs), registry, allocator, onFatal: fatal }));
      log.info({ masters: members, agents: recovered.admitted.size, unreachable: recovered.unreachable.size }, 'Recovered the registry; acting as the leading master');
    })().catch((error: unknown) => fatal(`Could not take over as the leader: ${error instanceof Error ? error.message : String(error)}`));
  });
  await detector.start();
  await contender.contend();
  log.info({ node: contender.node, pid: info.pid }, 'Joined the masters\' group; standing by until elected');
  return { runtime, pid: Upid.at('master', address), address, info, url: `http://${address.host}:${address.port}`, stop };
}
