import { AGENT_FLAGS, type RunningAgent, startAgent } from '@ts-mesos/agent';
import { runProgram } from '@ts-mesos/cli';

await runProgram({
  name: 'mesos-agent',
  summary: 'The ts-mesos agent: offers this machine to the master and runs tasks in containers.',
  flags: AGENT_FLAGS,
  main: async (flags, logger) => {
    const started: { agent?: RunningAgent } = {};
    // The master asked the agent to shut down, or `--recover=cleanup` is done (possibly before startAgent returned).
    const shutDown = (message: string): void => {
      logger.warn({ reason: message }, 'Shutting down');
      setImmediate(() => void (started.agent?.stop() ?? Promise.resolve()).finally(() => process.exit(0)));
    };
    const agent = await startAgent(flags, logger, shutDown);
    started.agent = agent;
    logger.info({ url: agent.url, master: flags.master }, 'Agent started');
    return agent;
  },
});
