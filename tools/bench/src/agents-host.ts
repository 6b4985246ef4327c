/**
 * Many agents in one process, for benchmarks that need a fleet without paying a Node start-up
 * (seconds of CPU each on a small VM) per agent: each is a full `startAgent` with its own
 * runtime, port, work_dir and containerizer, talking to the master over the real transport.
 * Usage: agents-host.ts COUNT BASE_PORT WORK_DIR -- AGENT_FLAGS...  (prints `ready` once all
 * have started; SIGTERM stops them).
 */
import { join } from 'node:path';
import { AGENT_FLAGS, type RunningAgent, startAgent } from '@ts-mesos/agent';
import { parseFlags, programLogger } from '@ts-mesos/cli';

const [count, basePort, workDir, separator, ...rest] = process.argv.slice(2);
if (separator !== '--') throw new Error('usage: agents-host.ts COUNT BASE_PORT WORK_DIR -- AGENT_FLAGS...');
const logger = programLogger('agents-host', process.env.LOG_LEVEL === 'info' ? 'INFO' : 'WARNING');
const agents: RunningAgent[] = [];
for (let i = 0; i < Number(count); i++) {
  const parsed = parseFlags(AGENT_FLAGS, [...rest, `--port=${Number(basePort) + i}`, `--work_dir=${join(workDir!, `agent-${i}`)}`], {});
  if (!parsed.ok) throw new Error(parsed.error);
  agents.push(await startAgent(parsed.flags.values, logger.child({ agent: i })));
}
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void Promise.all(agents.map((a) => a.stop())).then(() => process.exit(0));
});
