import { Flags, runProgram } from '@ts-mesos/cli';
import { isTerminalState, parseResources, Resources } from '@ts-mesos/protocol';
import { masterAddressError, Scheduler } from '@ts-mesos/scheduler';

const EXECUTE_FLAGS = {
  master: Flags.string('The master: host:port, or zk://host1:port1,.../path to follow the leading master'),
  name: Flags.string('Name of the task', 'mesos-execute'),
  command: Flags.string('Shell command to run'),
  resources: Flags.string('Resources of the task', 'cpus:1;mem:128'),
  shell: Flags.boolean('Run the command through /bin/sh -c', true),
  env: Flags.string('Environment of the command as a JSON object, e.g. {"A":"1"}'),
  framework_name: Flags.string('Name of the framework', 'mesos-execute instance'),
  role: Flags.string('Role the framework subscribes with', '*'),
  kill_after: Flags.duration('Kill the task after this long (0: never)', 0),
  logging_level: Flags.choice('Lowest level logged', ['INFO', 'WARNING', 'ERROR'], 'WARNING'),
} as const;

await runProgram({
  name: 'mesos-execute',
  summary: 'Runs one task on a Mesos cluster, prints its status updates, and exits with its outcome (0 when TASK_FINISHED).',
  flags: EXECUTE_FLAGS,
  main: async (flags) => {
    if (flags.master === undefined) throw new Error('--master is required');
    const badMaster = masterAddressError(flags.master);
    if (badMaster !== undefined) throw new Error(`Invalid --master: ${badMaster}`);
    if (flags.command === undefined) throw new Error('--command is required');
    const wanted = parseResources(flags.resources);
    if (!wanted.ok) throw new Error(`Invalid --resources: ${wanted.error}`);
    let variables: { name: string; value: string }[] = [];
    if (flags.env !== undefined) {
      let env: unknown;
      try {
        env = JSON.parse(flags.env);
      } catch (error) {
        throw new Error(`Invalid --env: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
        throw new Error('Invalid --env: expected a JSON object of strings, e.g. {"A":"1"}');
      }
      variables = Object.entries(env as Record<string, string>).map(([name, value]) => ({ name, value }));
    }
    const command = flags.command;
    const taskId = flags.name;
    return new Promise<number>((resolve) => {
      let launched = false;
      let finished = false;
      let subscribed = false;
      let toldRetrying = false;
      const finish = (code: number): void => {
        finished = true;
        scheduler.teardown().then(
          () => resolve(code),
          () => resolve(code),
        );
      };
      const scheduler = new Scheduler({ master: flags.master!, framework: { user: process.env['USER'] ?? 'root', name: flags.framework_name, role: flags.role }, autoAcknowledge: false }, async (event, s) => {
        switch (event.type) {
          case 'SUBSCRIBED':
            subscribed = true;
            process.stdout.write(`Subscribed with ID ${event.subscribed!.framework_id.value}\n`);
            break;
          case 'OFFERS': {
            if (finished) break;
            const offers = event.offers!.offers;
            const fit = launched ? undefined : offers.find((o) => {
              const offered = Resources.fromJson(o.resources);
              return offered.ok && offered.value.contains(wanted.value);
            });
            const others = offers.filter((o) => o !== fit).map((o) => o.id.value);
            if (others.length > 0) await s.decline(others).catch(() => undefined);
            if (fit === undefined) break;
            launched = true;
            process.stdout.write(`Submitted task '${taskId}' to agent '${fit.agent_id.value}'\n`);
            await s.launch([fit.id.value], [
              {
                name: flags.name,
                task_id: { value: taskId },
                agent_id: fit.agent_id,
                resources: wanted.value.toJson() as unknown as typeof fit.resources,
                command: { value: command, shell: flags.shell, ...(variables.length === 0 ? {} : { environment: { variables } }) },
              },
            ]);
            if (flags.kill_after > 0) setTimeout(() => void s.kill(taskId, fit.agent_id.value).catch(() => undefined), flags.kill_after);
            break;
          }
          case 'UPDATE': {
            const status = event.update!.status;
            process.stdout.write(`Received status update ${status.state} for task '${status.task_id.value}'${status.message === undefined ? '' : `\n  message: '${status.message}'`}\n`);
            if (status.uuid !== undefined) await s.acknowledge(status).catch(() => undefined);
            if (isTerminalState(status.state)) finish(status.state === 'TASK_FINISHED' ? 0 : 1);
            break;
          }
          case 'DISCONNECTED': {
            if (finished) break;
            const status = 'status' in event && typeof event.status === 'number' ? event.status : undefined;
            const reason = 'reason' in event ? String(event.reason) : 'disconnected';
            // The master refused the subscription (a bad role, say): retrying would not change that.
            if (status !== undefined && status >= 400 && status < 500) {
              process.stderr.write(`mesos-execute: the master refused to subscribe the framework: ${reason}\n`);
              finished = true;
              void s.stop().finally(() => resolve(1));
              break;
            }
            if (!subscribed && !toldRetrying) {
              toldRetrying = true;
              process.stderr.write(`mesos-execute: cannot subscribe yet (${reason}); retrying\n`);
            }
            break;
          }
          case 'ERROR':
            if (finished) break;
            process.stderr.write(`Error from the master: ${event.error?.message ?? ''}\n`);
            resolve(1);
            break;
          default:
            break;
        }
      });
      scheduler.start();
    });
  },
});
