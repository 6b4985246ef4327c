import { AGENT_FLAGS, startAgent } from '@ts-mesos/agent';
import { runProgram } from '@ts-mesos/cli';

await runProgram({
  name: 'mesos-agent',
  summary: 'The ts-mesos agent: offers this machine to the master and runs tasks in containers.',
  flags: AGENT_FLAGS,
  main: async (flags, logger) => {
    const agent = await startAgent(flags, logger, (message) => {
      logger.error({ reason: message }, 'Shutting down at the master\'s request');
      void agent.stop().finally(() => process.exit(0));
    });
    logger.info({ url: agent.url, master: flags.master }, 'Agent started');
    return agent;
  },
});
