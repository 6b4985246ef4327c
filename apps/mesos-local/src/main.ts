import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AGENT_FLAGS, agentAttributes, agentResources, type RunningAgent, startAgent } from '@ts-mesos/agent';
import { Flags, parseFlags, runProgram } from '@ts-mesos/cli';
import { MASTER_FLAGS, startMaster } from '@ts-mesos/master';

const LOCAL_FLAGS = {
  ip: Flags.string('IP address the master and agents listen on', '127.0.0.1'),
  port: Flags.integer("The master's port", 5050, { min: 0, max: 65535 }),
  num_slaves: Flags.integer('How many agents to start', 1, { min: 0, max: 1000 }),
  work_dir: Flags.string('Where the cluster keeps its state (default: a fresh directory under the system temp dir)'),
  resources: Flags.string("Each agent's resources, e.g. 'cpus:4;mem:4096' (default: detected, shared by all agents)"),
  attributes: Flags.string("Each agent's attributes, e.g. 'rack:r1'"),
  allocator: Flags.string("Allocator: 'HierarchicalDRF' or 'first-fit' or a module", 'HierarchicalDRF'),
  logging_level: Flags.choice('Lowest level logged', ['INFO', 'WARNING', 'ERROR'], 'INFO'),
} as const;

await runProgram({
  name: 'mesos-local',
  summary: 'A whole ts-mesos cluster in one command: a master and --num_slaves agents, no ZooKeeper needed.',
  flags: LOCAL_FLAGS,
  main: async (flags, logger) => {
    // The agents' flags are checked before anything starts: a typo is one line, not a master started and stopped.
    const attributes = agentAttributes(flags.attributes);
    if (!attributes.ok) throw new Error(attributes.error);
    if (flags.resources !== undefined) {
      // Only the text is checked here; each agent detects what it leaves out when it starts.
      const resources = agentResources(flags.resources, { cpus: 1, memMb: 1024, diskMb: 1024 });
      if (!resources.ok) throw new Error(resources.error);
    }
    const workDir = flags.work_dir ?? mkdtempSync(join(tmpdir(), 'mesos-local-'));
    const masterFlags = parseFlags(MASTER_FLAGS, [], {});
    if (!masterFlags.ok) throw new Error(masterFlags.error);
    const master = await startMaster(
      {
        ...masterFlags.flags.values,
        ip: flags.ip,
        port: flags.port,
        work_dir: join(workDir, 'master'),
        allocator: flags.allocator,
        logging_level: flags.logging_level,
        webui_dir: resolve(import.meta.dirname, '../../webui/dist'),
      },
      logger.child({ daemon: 'master' }),
    );
    const masterAddress = `${master.address.host}:${master.address.port}`;
    const agents: RunningAgent[] = [];
    for (let i = 0; i < flags.num_slaves; i++) {
      const agentFlags = parseFlags(AGENT_FLAGS, [], {});
      if (!agentFlags.ok) throw new Error(agentFlags.error);
      agents.push(
        await startAgent(
          {
            ...agentFlags.flags.values,
            master: masterAddress,
            ip: flags.ip,
            port: 0,
            work_dir: join(workDir, `agent-${i}`),
            ...(flags.resources === undefined ? {} : { resources: flags.resources }),
            ...(flags.attributes === undefined ? {} : { attributes: flags.attributes }),
          },
          logger.child({ daemon: `agent-${i}` }),
        ),
      );
    }
    process.stdout.write(
      [
        `ts-mesos local cluster: 1 master, ${agents.length} agent(s)`,
        `  master:     ${master.url}   (--master=${masterAddress})`,
        `  web UI:     ${master.url}/`,
        `  state:      ${master.url}/master/state`,
        `  scheduler:  ${master.url}/api/v1/scheduler`,
        ...agents.map((a, i) => `  agent ${i}:    ${a.url}`),
        `  work_dir:   ${workDir}`,
        `Try: npx mesos-execute --master=${masterAddress} --name=hello --command='echo hello'`,
        '',
      ].join('\n'),
    );
    return {
      stop: async () => {
        await Promise.all(agents.map((a) => a.stop()));
        await master.stop();
      },
    };
  },
});
