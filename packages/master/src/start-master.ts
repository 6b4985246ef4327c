import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadAllocator } from '@ts-mesos/allocator';
import { formatFlags, type FlagValues } from '@ts-mesos/cli';
import { type Address, type Logger, MetricsProcess, MetricsRegistry, type Pid, Runtime, WebSocketTransport } from '@ts-mesos/libprocess';
import { MASTER_FLAGS } from './master-flags.js';
import { masterInfo } from './master-info.js';
import { MasterProcess } from './master-process.js';
import { FileRegistry, MemoryRegistry, type Registry } from './registry.js';
import { MESOS_API_VERSION } from './version.js';

export type MasterFlags = FlagValues<typeof MASTER_FLAGS>;

export class MasterConfigError extends Error {
  readonly _tag = 'MasterConfigError';
}

export interface RunningMaster {
  readonly runtime: Runtime;
  readonly pid: Pid<MasterProcess>;
  readonly address: Address;
  /** `http://ip:port` */
  readonly url: string;
  stop(): Promise<void>;
}

function openRegistry(flags: MasterFlags): Registry {
  if (flags.registry === 'in_memory') return new MemoryRegistry();
  if (flags.work_dir === undefined) {
    throw new MasterConfigError(`--work_dir is needed for the '${flags.registry}' registry (or use --registry=in_memory)`);
  }
  return new FileRegistry(join(flags.work_dir, 'registry.log'));
}

/** Starts a master in this process: binds `--ip`:`--port`, recovers the registry, spawns `master`. */
export async function startMaster(flags: MasterFlags, logger: Logger): Promise<RunningMaster> {
  const registry = openRegistry(flags);
  const allocator = await loadAllocator(flags.allocator);
  const runtime = new Runtime({ transport: new WebSocketTransport({ host: flags.ip, port: flags.port, logger }), delegate: 'master', logger });
  const address = await runtime.start();
  const hostname = flags.hostname ?? flags.ip;
  const metrics = new MetricsRegistry();
  runtime.spawn(new MetricsProcess(metrics));
  const process = new MasterProcess({
    info: masterInfo(randomUUID(), address.host, address.port, hostname, MESOS_API_VERSION),
    registry,
    allocator,
    allocationIntervalMs: flags.allocation_interval,
    ...(flags.offer_timeout > 0 ? { offerTimeoutMs: flags.offer_timeout } : {}),
    agentPingTimeoutMs: flags.agent_ping_timeout,
    maxAgentPingTimeouts: flags.max_agent_ping_timeouts,
    maxCompletedTasksPerFramework: flags.max_completed_tasks_per_framework,
    maxCompletedFrameworks: flags.max_completed_frameworks,
    heartbeatIntervalSeconds: flags.heartbeat_interval / 1000,
    flags: formatFlags(MASTER_FLAGS, flags),
    version: MESOS_API_VERSION,
    metrics,
  });
  const pid = runtime.spawn(process);
  return { runtime, pid, address, url: `http://${address.host}:${address.port}`, stop: () => runtime.stop() };
}
