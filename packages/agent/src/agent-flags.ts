import { Flags } from '@ts-mesos/cli';

/** The `mesos-agent` flags we support, with Apache Mesos's names and defaults (docs/configuration/agent.md). */
export const AGENT_FLAGS = {
  master: Flags.string('The master to register with: host:port, or zk://host1:port1,host2:port2,.../path to follow the leading master'),
  zk_session_timeout: Flags.duration('ZooKeeper session timeout when --master is a zk:// URL', 10_000, { positive: true }),
  ip: Flags.string('IP address to listen on', '127.0.0.1'),
  port: Flags.integer('Port to listen on', 5051, { min: 0, max: 65535 }),
  hostname: Flags.string('The hostname the agent advertises (default: the IP)'),
  work_dir: Flags.string('Where the agent keeps sandboxes and checkpoints (required)'),
  resources: Flags.string("Total resources, e.g. 'cpus:4;mem:4096;ports:[31000-32000]' or JSON; detected ones fill the rest"),
  attributes: Flags.string("Attributes, e.g. 'rack:r1;zone:z2'"),
  containerizers: Flags.string("Containerizers, in order of preference: 'mesos' (processes, with --isolation) and 'docker' (tasks whose ContainerInfo is DOCKER)", 'mesos'),
  recover: Flags.choice("After a restart: 'reconnect' re-adopts the running containers; 'cleanup' kills them all, forgets them, and exits (for incompatible upgrades)", ['reconnect', 'cleanup'], 'reconnect'),
  docker_socket: Flags.string("The Docker engine's socket (for the docker containerizer)", '/var/run/docker.sock'),
  isolation: Flags.string("Isolators for the mesos containerizer: 'posix/cpu,posix/mem' (no isolation), or any of cgroups/cpu, cgroups/mem, cgroups/pids, namespaces/pid, namespaces/ipc, namespaces/uts, network/none", 'posix/cpu,posix/mem'),
  cgroups_hierarchy: Flags.string('Where cgroups are mounted (v1 per-controller hierarchies, or the v2 unified one)', '/sys/fs/cgroup'),
  cgroups_root: Flags.string("The group under which containers' cgroups are created", 'mesos'),
  cgroups_enable_cfs: Flags.boolean('Enforce cpus as a hard CFS quota, not only as shares', false),
  cgroups_max_pids: Flags.integer('With cgroups/pids: the most processes a container may have (ours; Mesos has no such flag)', 0, { min: 0 }),
  registration_backoff_factor: Flags.duration('Registration retries wait a random time up to this, doubling each time', 1000, { positive: true }),
  executor_registration_timeout: Flags.duration('How long a custom executor has to subscribe before the agent destroys it and fails its tasks', 60_000),
  executor_reregistration_timeout: Flags.duration('After a restart, how long a recovered custom executor has to subscribe again before the agent destroys it and reports its tasks lost (TASK_GONE to partition-aware frameworks); the agent registers with the master once every recovered executor has subscribed or been destroyed', 2000),
  recovery_timeout: Flags.duration('How long an executor whose agent is gone keeps trying to subscribe again before it shuts itself down (given to executors as MESOS_RECOVERY_TIMEOUT); command tasks and executors not re-adopted by a restarted agent by then are ended', 15 * 60_000),
  executor_shutdown_grace_period: Flags.duration('Time a killed task gets between SIGTERM and SIGKILL when its kill policy says nothing', 3000),
  logging_level: Flags.choice('Lowest level logged', ['INFO', 'WARNING', 'ERROR'], 'INFO'),
} as const;
