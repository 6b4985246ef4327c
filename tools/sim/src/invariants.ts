import { isTerminalState, type Resources, type TaskState } from '@ts-mesos/protocol';

/** One agent as the master's books hold it: what it has, what tasks use, what is offered. */
export interface AgentBooks {
  readonly agentId: string;
  readonly total: Resources;
  /** Tasks whose resources the master still counts as used (not yet handed back). */
  readonly tasks: readonly { readonly key: string; readonly resources: Resources }[];
  readonly offers: readonly { readonly id: string; readonly frameworkId: string; readonly resources: Resources }[];
}

/**
 * An agent is never over-committed (used + offered fits in its total), and no resource is in
 * two outstanding offers: each task, then each offer, must fit in what the ones before it
 * left free. Ranges (ports) make the second half more than a sum: two offers of port 31000
 * overlap even when the agent has room for two ports.
 */
export function checkAgentBooks(books: AgentBooks): string[] {
  const problems: string[] = [];
  let free = books.total.unallocate();
  for (const task of books.tasks) {
    const wanted = task.resources.unallocate();
    if (!free.contains(wanted)) {
      problems.push(`Agent '${books.agentId}' is over-committed: task '${task.key}' uses ${wanted.toString()}, but only ${free.toString()} of ${books.total.toString()} is left`);
      continue;
    }
    free = free.subtract(wanted);
  }
  for (const offer of books.offers) {
    const offered = offer.resources.unallocate();
    if (!free.contains(offered)) {
      problems.push(`Agent '${books.agentId}': offer '${offer.id}' to '${offer.frameworkId}' holds ${offered.toString()}, which tasks or other offers already hold (free: ${free.toString()})`);
      continue;
    }
    free = free.subtract(offered);
  }
  return problems;
}

/** A framework's knowledge of its tasks, as the liveness check needs it. */
export interface FrameworkKnowledge {
  readonly name: string;
  readonly frameworkId: string | undefined;
  readonly tasks: ReadonlyMap<string, { readonly id: string; readonly state: TaskState; readonly terminal: boolean; readonly endedBy: 'agent' | 'master' | 'refused' | undefined }>;
  readonly receivedUuids: ReadonlySet<string>;
}

/** A terminal status update an agent produced (checkpointed), by uuid. */
export interface ProducedUpdate {
  readonly agent: string;
  readonly uuid: string;
  readonly frameworkId: string;
  readonly taskId: string;
  readonly state: TaskState;
  /**
   * The agent's answer to the master's ReconcileTasks for a task it never got. Like Mesos's, it
   * has no task behind it and does not survive an agent restart; the master asks again when the
   * agent re-registers, and the new answer (another uuid) stands in for it.
   */
  readonly reconciliation: boolean;
}

export interface LivenessInput {
  readonly frameworks: readonly FrameworkKnowledge[];
  /** `frameworkId/taskId` -> state, over every agent process that runs now. */
  readonly agentTasks: ReadonlyMap<string, TaskState>;
  readonly produced: Iterable<ProducedUpdate>;
}

/**
 * Once faults have stopped and the cluster has had time to settle: every task reached a
 * terminal state at its framework or is still running on an agent, and every terminal
 * update an agent produced reached its framework (unless the framework had already been told
 * by the master that the task ended, lost with its agent or dropped with an invalid offer, or
 * the update was a reconciliation answer that a later answer replaced).
 */
export function checkLiveness(input: LivenessInput): string[] {
  const problems: string[] = [];
  const byId = new Map<string, FrameworkKnowledge>();
  for (const framework of input.frameworks) {
    if (framework.frameworkId !== undefined) byId.set(framework.frameworkId, framework);
    for (const task of framework.tasks.values()) {
      if (task.terminal || framework.frameworkId === undefined) continue;
      const onAgent = input.agentTasks.get(`${framework.frameworkId}/${task.id}`);
      if (onAgent === undefined || isTerminalState(onAgent)) {
        problems.push(`Task '${task.id}' is ${task.state} at ${framework.name} but ${onAgent === undefined ? 'no agent knows it' : `its agent says ${onAgent} and the framework never heard`}`);
      }
    }
  }
  for (const update of input.produced) {
    const framework = byId.get(update.frameworkId);
    if (framework === undefined || framework.receivedUuids.has(update.uuid)) continue;
    const view = framework.tasks.get(update.taskId);
    if (view !== undefined && view.terminal && (view.endedBy !== 'agent' || update.reconciliation)) continue;
    problems.push(`Terminal update ${update.state} (uuid ${update.uuid.slice(0, 6)}) of task '${update.taskId}' from ${update.agent} never reached ${framework.name}`);
  }
  return problems;
}
