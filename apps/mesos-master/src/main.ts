import { runProgram } from '@ts-mesos/cli';
import { MASTER_FLAGS, startMaster } from '@ts-mesos/master';

await runProgram({
  name: 'mesos-master',
  summary: 'The ts-mesos master: tracks agents and frameworks, offers resources, relays tasks and status updates.',
  flags: MASTER_FLAGS,
  main: async (flags, logger) => {
    const master = await startMaster(flags, logger);
    logger.info({ url: master.url, pid: `master@${master.address.host}:${master.address.port}` }, 'Master started');
    return master;
  },
});
