import type { TaskInfo } from '@ts-mesos/protocol';

/** A shell command task of `cpus` and `mem` (MB) on the offer's agent: the usual thing a framework launches. */
export function commandTask(id: string, agentId: { value: string }, cpus: number, mem: number, command: string, name = id): TaskInfo {
  return {
    name,
    task_id: { value: id },
    agent_id: agentId,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
    ],
    command: { value: command },
  };
}
