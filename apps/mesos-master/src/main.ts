import { resolve } from 'node:path';
import { runProgram } from '@ts-mesos/cli';
import { MASTER_FLAGS, startMaster } from '@ts-mesos/master';

await runProgram({
  name: 'mesos-master',
  summary: 'The ts-mesos master: tracks agents and frameworks, offers resources, relays tasks and status updates.',
  flags: MASTER_FLAGS,
  main: async (flags, logger) => {
    // The web UI this package ships with (@ts-mesos/webui's build), both in the workspace and in node_modules.
    const webui_dir = flags.webui_dir ?? resolve(import.meta.dirname, '../../webui/dist');
    const master = await startMaster({ ...flags, webui_dir }, logger, {
      // Like Mesos: a master that lost leadership (or its registry) exits; a supervisor restarts it as a standby.
      onFatal: (message) => {
        process.stderr.write(`mesos-master: ${message}\n`);
        logger.flush();
        process.exit(1);
      },
    });
    logger.info({ url: master.url, pid: `master@${master.address.host}:${master.address.port}`, zk: flags.zk ?? null }, flags.zk === undefined ? 'Master started' : 'Master started; contending for leadership');
    return master;
  },
});
