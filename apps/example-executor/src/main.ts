/**
 * An example custom executor on the v1 Executor API. For each task it reports TASK_RUNNING;
 * a task whose `data` (base64) reads `wait` then runs until it is killed (TASK_KILLED); any
 * other task tells the scheduler `finished <task id>: <data>` and reports TASK_FINISHED. It
 * answers every framework message with `echo: <message>`, and on SHUTDOWN kills what runs
 * and exits. The agent starts it with `MESOS_AGENT_ENDPOINT`, `MESOS_FRAMEWORK_ID` and
 * `MESOS_EXECUTOR_ID` set.
 */
import { Executor, executorEnvironment } from '@ts-mesos/executor';

const decode = (base64: string | undefined): string => (base64 === undefined ? '' : Buffer.from(base64, 'base64').toString('utf8'));
const waiting = new Set<string>();

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
      if (data === 'wait') {
        waiting.add(id);
        break;
      }
      await ex.message(`finished ${id}: ${data}`);
      await ex.update(id, 'TASK_FINISHED', { message: `done: ${data}` });
      break;
    }
    case 'KILL': {
      const id = event.kill!.task_id.value;
      if (waiting.delete(id)) await ex.update(id, 'TASK_KILLED', { message: 'killed on request' });
      break;
    }
    case 'MESSAGE':
      await ex.message(`echo: ${decode(event.message!.data)}`);
      break;
    case 'SHUTDOWN':
      for (const id of waiting) await ex.update(id, 'TASK_KILLED', { message: 'executor shut down' });
      waiting.clear();
      ex.stop();
      break;
    default:
      break;
  }
});

await executor.run();
process.stdout.write('executor done\n');
