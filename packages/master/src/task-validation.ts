import { type ExecutorInfo, idError, type Result, err, ok, Resources, type TaskInfo } from '@ts-mesos/protocol';

/** What a task is checked against while an ACCEPT is applied, operation by operation. */
export interface TaskContext {
  readonly frameworkId: string;
  readonly agentId: string;
  /** The role the offers were allocated to. */
  readonly role: string;
  /** What is left of the offered resources (allocated to `role`). */
  readonly remaining: Resources;
  /** Task IDs the framework already uses, or that came earlier in this ACCEPT. */
  readonly taken: (taskId: string) => boolean;
  /** Custom executors already running on the agent (or launched earlier in this ACCEPT): their tasks need only their own resources. */
  readonly running?: (executorId: string) => boolean;
}

/** A valid task's resources, and those of its custom executor when the task starts it (else empty); both allocated to the offers' role. */
export interface CheckedTask {
  readonly resources: Resources;
  readonly executor: Resources;
}

/**
 * Mesos's task validation (src/master/validation.cpp, `task::validate`), the rules a framework
 * can break: a valid and unused task ID, the offer's agent, exactly one of command or
 * executor, a usable command and container, resources that parse and fit what was offered.
 * Returns the task's resources and a new custom executor's (see `CheckedTask`), or why the task is invalid.
 */
export function validateTask(task: TaskInfo, context: TaskContext): Result<CheckedTask> {
  const id = task.task_id.value;
  const why = idError(id);
  if (why !== undefined) return err(`Task ID is invalid: ${why}`);
  if (context.taken(id)) return err(`Task has duplicate ID: ${id}`);
  if (task.agent_id.value !== context.agentId) {
    return err(`Task uses agent '${task.agent_id.value}' but the offers are on agent '${context.agentId}'`);
  }
  if ((task.command === undefined) === (task.executor === undefined)) {
    return err('Task should have at least one (but not both) of CommandInfo or ExecutorInfo present');
  }
  const command = task.command ?? task.executor?.command;
  if (command === undefined) return err('Executor has no CommandInfo');
  if (command.shell !== false && (command.value === undefined || command.value === '')) {
    return err('Command must have a value when shell is true');
  }
  if (command.shell === false && (command.value === undefined || command.value === '')) {
    return err('Command must name the program to run when shell is false');
  }
  const container = task.container ?? task.executor?.container;
  if (container?.type === 'DOCKER' && container.docker === undefined) return err('DockerInfo is missing for a DOCKER container');
  let executorResources = Resources.EMPTY;
  if (task.executor !== undefined) {
    const checked = validateExecutor(task.executor, context);
    if (!checked.ok) return checked;
    if (context.running?.(task.executor.executor_id.value) !== true) executorResources = checked.value;
  }
  const parsed = Resources.fromJson(task.resources, '/resources');
  if (!parsed.ok) return err(`Task resources are invalid: ${parsed.error}`);
  if (parsed.value.isEmpty()) return err('Task uses no resources');
  const resources = parsed.value.allocate(context.role);
  // A new executor's resources must fit beside the task's, as Mesos's master wants.
  const needed = resources.add(executorResources);
  if (!context.remaining.contains(needed)) {
    const what = executorResources.isEmpty() ? 'Task uses' : 'Task and its executor use';
    return err(`${what} more resources (${needed.unallocate().toString()}) than available (${context.remaining.unallocate().toString()})`);
  }
  return ok({ resources, executor: executorResources });
}

/**
 * A custom executor (or a task group's), as Mesos checks one: a valid ID, no other framework's
 * ID, valid resources (allocated to the offers' role, returned). A task group's must be of type
 * DEFAULT (`group`).
 */
export function validateExecutor(executor: ExecutorInfo, context: Pick<TaskContext, 'frameworkId' | 'role'>, group = false): Result<Resources> {
  const why = idError(executor.executor_id.value);
  if (why !== undefined) return err(`Executor ID is invalid: ${why}`);
  const fid = executor.framework_id?.value;
  if (fid !== undefined && fid !== context.frameworkId) return err(`Executor has framework ID '${fid}' but the framework is '${context.frameworkId}'`);
  if (group && executor.type !== undefined && executor.type !== 'DEFAULT') return err(`'ExecutorInfo.type' of a task group must be 'DEFAULT', not '${executor.type}'`);
  const parsed = Resources.fromJson(executor.resources ?? [], '/executor/resources');
  if (!parsed.ok) return err(`Executor resources are invalid: ${parsed.error}`);
  return ok(parsed.value.allocate(context.role));
}
