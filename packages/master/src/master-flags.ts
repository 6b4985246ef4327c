import { Flags } from '@ts-mesos/cli';

/** The `mesos-master` flags we support, with Apache Mesos's names and defaults (docs/configuration/master.md). */
export const MASTER_FLAGS = {
  ip: Flags.string('IP address to listen on', '127.0.0.1'),
  port: Flags.integer('Port to listen on', 5050, { min: 0, max: 65535 }),
  hostname: Flags.string('The hostname the master advertises (default: the IP)'),
  work_dir: Flags.string('Where the master keeps its registry (needed unless --registry=in_memory)'),
  registry: Flags.choice(
    "Where admitted agents, weights and quotas are recorded: in ZooKeeper under the --zk path when --zk is given, else 'file' (under --work_dir; 'replicated_log' means the same); 'in_memory' forgets them",
    ['file', 'in_memory', 'replicated_log'],
    'file',
  ),
  zk: Flags.string('ZooKeeper URL for leader election among masters: zk://host1:port1,host2:port2,.../path (or zk://user:pass@.../path); also holds the registry'),
  quorum: Flags.integer('With --zk: how many masters (this one included) must have joined before an elected master recovers the registry and acts; set it to a majority of the masters', undefined, { min: 1 }),
  zk_session_timeout: Flags.duration('ZooKeeper session timeout; a leader cut off from ZooKeeper for half of it stops acting', 10_000, { positive: true }),
  agent_reregister_timeout: Flags.duration('After a master restart or failover: how long agents in the registry have to re-register before they are marked unreachable', 600_000),
  allocator: Flags.string("Allocator: 'HierarchicalDRF', 'first-fit', or a module path or package exporting createAllocator", 'HierarchicalDRF'),
  allocation_interval: Flags.duration('Time between batch allocations', 1000, { positive: true }),
  offer_timeout: Flags.duration('Rescind offers not answered in this time (0: never)', 0),
  agent_ping_timeout: Flags.duration('Time between pings of an agent; also how long a ping may go unanswered', 15_000, { positive: true }),
  max_agent_ping_timeouts: Flags.integer('Unanswered pings after which an agent is removed', 5, { min: 1 }),
  max_completed_tasks_per_framework: Flags.integer('Completed tasks kept per framework', 1000, { min: 0 }),
  max_completed_frameworks: Flags.integer('Completed frameworks kept', 50, { min: 0 }),
  heartbeat_interval: Flags.duration('Time between HEARTBEAT events to schedulers (ts-mesos; Mesos fixes it at 15secs)', 15_000, { positive: true }),
  registry_max_agent_age: Flags.duration('How long the registry remembers an unreachable agent', 14 * 24 * 3600 * 1000),
  registry_max_agent_count: Flags.integer('How many unreachable agents the registry remembers at most (the oldest go first)', 102_400, { min: 0 }),
  registry_gc_interval: Flags.duration('How often the registry forgets unreachable agents past the age or count above', 15 * 60 * 1000, { positive: true }),
  webui_dir: Flags.string('Where the web UI\'s build is (index.html and assets/), served at /; mesos-master and mesos-local default to the one they ship with'),
  cluster: Flags.string('A name for the cluster, shown to operators'),
  logging_level: Flags.choice('Lowest level logged', ['INFO', 'WARNING', 'ERROR'], 'INFO'),
} as const;
