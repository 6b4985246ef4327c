/**
 * An example custom executor on the v1 Executor API. For each task it reports TASK_RUNNING;
 * a task whose `data` (base64) reads `wait` then runs until it is killed (TASK_KILLED); one
 * whose data reads `sleep N` finishes N seconds later (TASK_FINISHED, even while the agent is
 * away: the update waits for the agent); any other task tells the scheduler
 * `finished <task id>: <data>` and reports TASK_FINISHED. It answers every framework message
 * with `echo: <message>`, and on SHUTDOWN (from the agent, or because the agent stayed away
 * past the recovery timeout) kills what runs and exits. The agent starts it with
 * `MESOS_AGENT_ENDPOINT`, `MESOS_FRAMEWORK_ID` and `MESOS_EXECUTOR_ID` set.
 */
import { Executor, executorEnvironment } from '@ts-mesos/executor';

const decode = (base64: string | undefined): string => (base64 === undefined ? '' : Buffer.from(base64, 'base64').toString('utf8'));
/** Tasks that run until killed or until their timer fires, by id. */
const running = new Map<string, NodeJS.Timeout | undefined>();

const executor = new Executor(executorEnvironment(), async (event, ex) => {
  switch (event.type) {
    case 'SUBSCRIBED':
      process.stdout.write(`subscribed to agent ${event.subscribed!.agent_info.id?.value ?? '?'} in container ${event.subscribed!.container_id?.value ?? '?'}\n`);
      break;
    case 'LAUNCH': {
      const task = event.launch!.task;
      const id = task.task_id.value;
      const data = decode(task.data);
      await ex.update(id, 'TASK_RUNNING');
      const sleep = /^sleep (\d+(?:\.\d+)?)$/.exec(data);
      if (data === 'wait') {
        running.set(id, undefined);
      } else if (sleep !== null) {
        const timer = setTimeout(() => {
          running.delete(id);
          process.stdout.write(`task ${id} finished\n`);
          ex.update(id, 'TASK_FINISHED', { message: `done: ${data}` }).catch((error: unknown) => process.stderr.write(`update of '${id}' failed: ${String(error)}\n`));
        }, Number(sleep[1]) * 1000);
        running.set(id, timer);
      } else {
        await ex.message(`finished ${id}: ${data}`);
        await ex.update(id, 'TASK_FINISHED', { message: `done: ${data}` });
      }
      break;
    }
    case 'KILL': {
      const id = event.kill!.task_id.value;
      if (running.has(id)) {
        clearTimeout(running.get(id));
        running.delete(id);
        await ex.update(id, 'TASK_KILLED', { message: 'killed on request' });
      }
      break;
    }
    case 'MESSAGE':
      await ex.message(`echo: ${decode(event.message!.data)}`);
      break;
    case 'SHUTDOWN':
      for (const [id, timer] of running) {
        clearTimeout(timer);
        await ex.update(id, 'TASK_KILLED', { message: 'executor shut down' });
      }
      running.clear();
      ex.stop();
      break;
    default:
      break;
  }
});

try {
  await executor.run();
  process.stdout.write('executor done\n');
} catch (error) {
  process.stderr.write(`executor ended: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
