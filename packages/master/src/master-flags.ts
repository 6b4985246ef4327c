import { Flags } from '@ts-mesos/cli';

/** The `mesos-master` flags we support, with Apache Mesos's names and defaults (docs/configuration/master.md). */
export const MASTER_FLAGS = {
  ip: Flags.string('IP address to listen on', '127.0.0.1'),
  port: Flags.integer('Port to listen on', 5050, { min: 0, max: 65535 }),
  hostname: Flags.string('The hostname the master advertises (default: the IP)'),
  work_dir: Flags.string('Where the master keeps its registry (needed unless --registry=in_memory)'),
  registry: Flags.choice("Where admitted agents are recorded: 'file' (under --work_dir) or 'in_memory'", ['file', 'in_memory', 'replicated_log'], 'file'),
  allocator: Flags.string("Allocator: 'HierarchicalDRF', 'first-fit', or a module path or package exporting createAllocator", 'HierarchicalDRF'),
  allocation_interval: Flags.duration('Time between batch allocations', 1000),
  offer_timeout: Flags.duration('Rescind offers not answered in this time (0: never)', 0),
  agent_ping_timeout: Flags.duration('Time between pings of an agent; also how long a ping may go unanswered', 15_000),
  max_agent_ping_timeouts: Flags.integer('Unanswered pings after which an agent is removed', 5, { min: 1 }),
  max_completed_tasks_per_framework: Flags.integer('Completed tasks kept per framework', 1000, { min: 0 }),
  max_completed_frameworks: Flags.integer('Completed frameworks kept', 50, { min: 0 }),
  heartbeat_interval: Flags.duration('Time between HEARTBEAT events to schedulers (ts-mesos; Mesos fixes it at 15secs)', 15_000),
  cluster: Flags.string('A name for the cluster, shown to operators'),
  logging_level: Flags.choice('Lowest level logged', ['INFO', 'WARNING', 'ERROR'], 'INFO'),
} as const;
