import { join, resolve } from 'node:path';
import { type FlagValues, formatDurationMs, formatFlags } from '@ts-mesos/cli';
import { ComposingContainerizer, type Containerizer, ContainerizerLoadError, detectCgroups, DockerContainerizer, IsolationConfigError, LinuxIsolator, loadContainerizer, PosixContainerizer } from '@ts-mesos/containerizer';
import { type Address, type Logger, MetricsProcess, MetricsRegistry, type Pid, Runtime, Upid, WebSocketTransport } from '@ts-mesos/libprocess';
import { MESOS_API_VERSION } from '@ts-mesos/protocol';
import { detectMaster, isZkUrl, parseZkUrl, StandaloneMasterDetector } from '@ts-mesos/zk-election';
import { AGENT_FLAGS } from './agent-flags.js';
import { FilesProcess } from './files-process.js';
import { MonitorProcess } from './monitor-process.js';
import { AgentJournal } from './agent-journal.js';
import { AgentProcess, MAX_EXECUTOR_REREGISTRATION_TIMEOUT_MS } from './agent-process.js';
import { agentAttributes, agentResources, detectMachine } from './resource-detection.js';

export type AgentFlags = FlagValues<typeof AGENT_FLAGS>;

export class AgentConfigError extends Error {
  readonly _tag = 'AgentConfigError';
}

export interface RunningAgent {
  readonly runtime: Runtime;
  readonly pid: Pid<AgentProcess>;
  readonly address: Address;
  readonly url: string;
  stop(): Promise<void>;
}

/** `--master=host:port` (or `http://host:port`, or `master@host:port`) as the master's pid. */
export function masterPid(flag: string): Upid {
  try {
    return Upid.parse(new StandaloneMasterDetector(flag).leader.pid);
  } catch (error) {
    throw new AgentConfigError(error instanceof Error ? error.message : String(error));
  }
}

/** Starts an agent in this process: detects resources, binds `--ip`:`--port`, registers with `--master`. */
export async function startAgent(flags: AgentFlags, logger: Logger, onShutdown?: (message: string) => void): Promise<RunningAgent> {
  if (flags.master === undefined) throw new AgentConfigError('--master is required (host:port of the master, or zk://host:port,.../path)');
  if (flags.work_dir === undefined) throw new AgentConfigError('--work_dir is required');
  const containerizerNames = flags.containerizers.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of containerizerNames) {
    const isModule = name.includes('/') || name.startsWith('.') || name.startsWith('@');
    if (name !== 'mesos' && name !== 'docker' && !isModule) throw new AgentConfigError(`Unknown containerizer '${name}' (built in: mesos, docker; or a module path)`);
  }
  if (containerizerNames.length === 0) throw new AgentConfigError('--containerizers names no containerizer');
  if (flags.executor_reregistration_timeout > MAX_EXECUTOR_REREGISTRATION_TIMEOUT_MS) {
    throw new AgentConfigError(`--executor_reregistration_timeout must be at most ${formatDurationMs(MAX_EXECUTOR_REREGISTRATION_TIMEOUT_MS)} (as in Mesos), got ${formatDurationMs(flags.executor_reregistration_timeout)}`);
  }
  if (isZkUrl(flags.master)) {
    const url = parseZkUrl(flags.master);
    if (!url.ok) throw new AgentConfigError(`Invalid --master: ${url.error}`);
  } else masterPid(flags.master);
  const isolation = flags.isolation.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const linux = isolation.some((e) => e.startsWith('cgroups/') || e.startsWith('namespaces/') || e.startsWith('network/'));
  let isolator: LinuxIsolator | undefined;
  if (linux) {
    try {
      isolator = new LinuxIsolator({
        isolation,
        cgroups: detectCgroups(flags.cgroups_hierarchy, flags.cgroups_root),
        cfsQuota: flags.cgroups_enable_cfs,
        ...(flags.cgroups_max_pids > 0 ? { pidsMax: flags.cgroups_max_pids } : {}),
      });
    } catch (error) {
      if (error instanceof IsolationConfigError) throw new AgentConfigError(`Invalid --isolation: ${error.message}`);
      throw error;
    }
  } else {
    for (const entry of isolation) if (entry !== 'posix/cpu' && entry !== 'posix/mem' && entry !== 'filesystem/posix') throw new AgentConfigError(`Invalid --isolation: unknown isolator '${entry}'`);
  }
  const workDir = resolve(flags.work_dir);
  const resources = agentResources(flags.resources, await detectMachine(workDir));
  if (!resources.ok) throw new AgentConfigError(resources.error);
  const attributes = agentAttributes(flags.attributes);
  if (!attributes.ok) throw new AgentConfigError(attributes.error);
  const members: Containerizer[] = [];
  for (const name of containerizerNames) {
    if (name === 'docker') members.push(new DockerContainerizer({ socket: flags.docker_socket }));
    else if (name === 'mesos') members.push(new PosixContainerizer({ runtimeDir: join(workDir, 'containers'), ...(isolator === undefined ? {} : { name: 'mesos', isolators: [isolator] }) }));
    else {
      try {
        members.push(await loadContainerizer(name, { workDir, flags: formatFlags(AGENT_FLAGS, flags) }));
      } catch (error) {
        if (error instanceof ContainerizerLoadError) throw new AgentConfigError(error.message);
        throw error;
      }
    }
  }
  const detector = await detectMaster(flags.master, { sessionTimeoutMs: flags.zk_session_timeout }).catch((error: unknown) => {
    throw new AgentConfigError(`Cannot detect the master from --master=${flags.master}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const leaderPid = (): Upid | undefined => (detector.leader === undefined ? undefined : Upid.parse(detector.leader.pid));
  detector.on('trouble', (message) => logger.warn({ error: message }, 'Master detection trouble'));
  const journal = new AgentJournal(workDir);
  const recovered = journal.recoverAgentInfo();
  const runtime = new Runtime({ transport: new WebSocketTransport({ host: flags.ip, port: flags.port, logger }), delegate: 'slave(1)', logger });
  const address = await runtime.start();
  const metrics = new MetricsRegistry();
  runtime.spawn(new MetricsProcess(metrics));
  const files = new FilesProcess();
  runtime.spawn(files);
  const process = new AgentProcess({
    master: leaderPid(),
    workDir,
    info: {
      hostname: flags.hostname ?? address.host,
      port: address.port,
      // Reservations and volumes the master checkpointed outlive a restart (Mesos's checkpointed resources).
      resources: journal.recoverResources() ?? (resources.value.toJson() as unknown as NonNullable<AgentProcessInfo['resources']>),
      attributes: attributes.value,
      ...(recovered?.id === undefined ? {} : { id: recovered.id }),
    },
    containerizer: composeContainerizers(members),
    journal,
    registrationBackoffMs: flags.registration_backoff_factor,
    killGracePeriodMs: flags.executor_shutdown_grace_period,
    executorRegistrationTimeoutMs: flags.executor_registration_timeout,
    executorReregistrationTimeoutMs: flags.executor_reregistration_timeout,
    recoveryTimeoutMs: flags.recovery_timeout,
    recoverMode: flags.recover,
    ...(onShutdown === undefined ? {} : { onShutdown }),
    flags: formatFlags(AGENT_FLAGS, flags),
    metrics,
    files,
    version: MESOS_API_VERSION,
  });
  const pid = runtime.spawn(process);
  // A change detected while the agent was being set up is caught by the first call.
  const follow = (): void => {
    const next = leaderPid();
    runtime.dispatch(pid, (agent) => agent.masterDetected(next)).catch(() => undefined);
  };
  detector.on('leader', follow);
  follow();
  runtime.spawn(new MonitorProcess(() => process.statistics()));
  return {
    runtime,
    pid,
    address,
    url: `http://${address.host}:${address.port}`,
    stop: async () => {
      detector.close();
      await runtime.stop();
      journal.close();
    },
  };
}

type AgentProcessInfo = ConstructorParameters<typeof AgentProcess>[0]['info'];

/** One containerizer as itself; several behind a composing one that picks per task. */
function composeContainerizers(members: Containerizer[]): Containerizer {
  return members.length === 1 ? members[0]! : new ComposingContainerizer(members);
}
