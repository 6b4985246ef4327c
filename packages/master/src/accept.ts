import { DEFAULT_REFUSE_SECONDS } from '@ts-mesos/allocator';
import { AgentId, FrameworkId, Resources, type SchedulerCall, type TaskInfo, type TaskReason, type TaskState } from '@ts-mesos/protocol';
import type { CallOutcome, MasterCore } from './master-core.js';
import { send } from './master-effect.js';
import { type FrameworkRecord, hasCapability, type OfferRecord, type TaskRecord } from './records.js';
import { validateExecutor, validateTask } from './task-validation.js';

/**
 * How long an ACCEPT's unused resources or a DECLINE's offers stay refused: as in Mesos, a call
 * without `filters` (or without `refuse_seconds`) gets the `Filters` default of 5 s; only an
 * explicit 0 asks for the resources back at the next allocation.
 */
export function filterSeconds(filters: { readonly refuse_seconds?: number } | undefined): number {
  return filters?.refuse_seconds ?? DEFAULT_REFUSE_SECONDS;
}

type Accept = NonNullable<SchedulerCall['accept']>;

/**
 * ACCEPT, as Mesos's master applies it (docs/scheduler-http-api.md, src/master/master.cpp
 * `accept`): the offers must be current, the framework's, and on one agent; if they are not,
 * every task in the call is dropped with REASON_INVALID_OFFERS. Otherwise operations apply in
 * order against what is left of the offered resources; an invalid task fails alone with
 * TASK_ERROR, and whatever is left goes back to the allocator under the call's filter.
 */
export class AcceptProcessor {
  constructor(private readonly core: MasterCore) {}

  accept(framework: FrameworkRecord, accept: Accept, now: number): CallOutcome {
    const { offers, error } = this.takeOffers(framework, accept);
    const operations = accept.operations ?? [];
    if (error !== undefined) {
      for (const offer of offers) this.recover(offer.frameworkId, offer.agentId, offer.resources, undefined, now);
      const state: TaskState = hasCapability(framework.info, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const task of operations.flatMap(tasksOf)) this.reject(framework, task, state, 'REASON_INVALID_OFFERS', error, now);
      this.core.emit({ kind: 'log', level: 'warn', fields: { frameworkId: framework.id, offers: accept.offer_ids.map((o) => o.value) }, message: `Invalid ACCEPT: ${error}` });
      return { status: 202 };
    }
    const agentId = offers[0]!.agentId;
    const role = offers[0]!.role;
    const agent = this.core.agents.get(agentId);
    let remaining = offers.reduce((sum, offer) => sum.add(offer.resources), Resources.EMPTY);
    const launched = new Set<string>();
    const taken = (id: string): boolean => launched.has(id) || framework.tasks.has(id);
    const running = (id: string): boolean => framework.executors.get(agentId)?.has(id) === true;
    for (const operation of operations) {
      switch (operation.type) {
        case 'LAUNCH':
          for (const task of operation.launch?.task_infos ?? []) {
            const checked = validateTask(task, { frameworkId: framework.id, agentId, role, remaining, taken, running });
            if (!checked.ok || agent === undefined) {
              this.reject(framework, task, 'TASK_ERROR', 'REASON_TASK_INVALID', checked.ok ? `Agent '${agentId}' is gone` : checked.error, now);
              continue;
            }
            // A task that starts a custom executor: the executor holds its resources until the agent says it exited.
            if (task.executor !== undefined && !running(task.executor.executor_id.value)) {
              this.core.addExecutor(framework, agentId, { info: task.executor, resources: checked.value.executor });
              remaining = remaining.subtract(checked.value.executor);
            }
            remaining = remaining.subtract(checked.value.resources);
            launched.add(task.task_id.value);
            this.core.addTask(this.record(framework, task, checked.value.resources, role));
            this.core.emit(send(agent.pid, 'RunTask', { framework_info: framework.info, task }));
          }
          break;
        case 'LAUNCH_GROUP': {
          const group = operation.launch_group;
          const tasks = group?.task_group.tasks ?? [];
          let groupRemaining = remaining;
          let why: string | undefined = group === undefined ? "LAUNCH_GROUP needs 'launch_group'" : tasks.length === 0 ? 'Task group is empty' : agent === undefined ? `Agent '${agentId}' is gone` : undefined;
          // A new executor for the group: it holds its resources until the agent says it exited.
          let newExecutor: Resources | undefined;
          if (why === undefined && group !== undefined) {
            // The group's executor: valid, and (unless it already runs there) its resources fit beside all the group's tasks.
            const executor = validateExecutor(group.executor, { frameworkId: framework.id, role }, true);
            if (!executor.ok) why = executor.error;
            else if (!running(group.executor.executor_id.value)) {
              if (!groupRemaining.contains(executor.value)) why = `The task group's executor uses more resources (${executor.value.unallocate().toString()}) than available (${groupRemaining.unallocate().toString()})`;
              else {
                groupRemaining = groupRemaining.subtract(executor.value);
                newExecutor = executor.value;
              }
            }
          }
          const checkedTasks: [TaskInfo, Resources][] = [];
          for (const task of why === undefined ? tasks : []) {
            // Tasks of a group run under the group's executor: validate each as if it named it.
            const asCommand: TaskInfo = task.command === undefined && task.executor === undefined ? { ...task, command: { value: 'true' } } : task;
            const checked = validateTask(asCommand, { frameworkId: framework.id, agentId, role, remaining: groupRemaining, taken });
            if (!checked.ok) {
              why = `Task '${task.task_id.value}' is invalid: ${checked.error}`;
              break;
            }
            groupRemaining = groupRemaining.subtract(checked.value.resources);
            launched.add(task.task_id.value);
            checkedTasks.push([task, checked.value.resources]);
          }
          if (why !== undefined || group === undefined || agent === undefined) {
            for (const task of tasks) {
              launched.delete(task.task_id.value);
              this.reject(framework, task, 'TASK_ERROR', 'REASON_TASK_GROUP_INVALID', why ?? 'Invalid task group', now);
            }
            break;
          }
          if (newExecutor !== undefined) {
            this.core.addExecutor(framework, agentId, { info: group.executor, resources: newExecutor });
            remaining = remaining.subtract(newExecutor);
          }
          remaining = remaining.subtract(checkedTasks.reduce((sum, [, r]) => sum.add(r), Resources.EMPTY));
          for (const [task, resources] of checkedTasks) this.core.addTask(this.record(framework, { ...task, executor: group.executor }, resources, role));
          this.core.emit(send(agent.pid, 'RunTaskGroup', { framework_info: framework.info, executor: { ...group.executor, framework_id: { value: framework.id } }, task_group: group.task_group }));
          break;
        }
        case 'RESERVE':
        case 'UNRESERVE':
        case 'CREATE':
        case 'DESTROY': {
          const json = operation.type === 'RESERVE' ? operation.reserve?.resources : operation.type === 'UNRESERVE' ? operation.unreserve?.resources : operation.type === 'CREATE' ? operation.create?.volumes : operation.destroy?.volumes;
          const applied = agent === undefined ? { ok: false as const, error: `Agent '${agentId}' is gone` } : this.core.applyOperation(agent, operation.type, json, { role, principal: framework.info.principal }, remaining.unallocate());
          if (!applied.ok) {
            this.core.emit({ kind: 'log', level: 'warn', fields: { frameworkId: framework.id, operation: operation.type }, message: `Dropping invalid ${operation.type}: ${applied.error}` });
            break;
          }
          const from = applied.value.consumed.allocate(role);
          const to = applied.value.converted.allocate(role);
          remaining = remaining.subtract(from).add(to);
          const frameworkId = FrameworkId(framework.id);
          this.core.emit({ kind: 'allocator', apply: (a) => a.updateAllocation(frameworkId, AgentId(agentId), from, to) });
          break;
        }
        default:
          this.core.emit({
            kind: 'log',
            level: 'warn',
            fields: { frameworkId: framework.id, operation: operation.type },
            message: `Dropping offer operation ${operation.type}: not supported by this master yet`,
          });
      }
    }
    if (!remaining.isEmpty()) this.recover(framework.id, agentId, remaining, filterSeconds(accept.filters), now);
    return { status: 202 };
  }

  /** Removes the offers named from circulation; says what was wrong with them, if anything. */
  private takeOffers(framework: FrameworkRecord, accept: Accept): { offers: OfferRecord[]; error: string | undefined } {
    const offers: OfferRecord[] = [];
    let error: string | undefined = accept.offer_ids.length === 0 ? 'No offers were given' : undefined;
    const seen = new Set<string>();
    for (const { value } of accept.offer_ids) {
      const offer = this.core.offers.get(value);
      if (seen.has(value)) error ??= `Offer '${value}' appears more than once`;
      seen.add(value);
      if (offer === undefined) {
        error ??= `Offer '${value}' is no longer valid`;
        continue;
      }
      if (offer.frameworkId !== framework.id) {
        error ??= `Offer '${value}' was made to another framework`;
        continue;
      }
      if (offers.length > 0 && offer.agentId !== offers[0]!.agentId) error ??= `Offers '${offers[0]!.id}' and '${value}' are on different agents`;
      if (offers.length > 0 && offer.role !== offers[0]!.role) error ??= `Offers '${offers[0]!.id}' and '${value}' are allocated to different roles`;
      offers.push(offer);
      this.core.removeOffer(offer, undefined, 0, false);
    }
    return { offers, error };
  }

  private recover(frameworkId: string, agentId: string, resources: Resources, refuseSeconds: number | undefined, now: number): void {
    this.core.emit({ kind: 'allocator', apply: (a) => a.recoverResources(FrameworkId(frameworkId), AgentId(agentId), resources, refuseSeconds, now) });
  }

  private reject(framework: FrameworkRecord, task: TaskInfo, state: TaskState, reason: TaskReason, message: string, now: number): void {
    this.core.emit({
      kind: 'event',
      frameworkId: framework.id,
      event: { type: 'UPDATE', update: { status: { task_id: task.task_id, agent_id: task.agent_id, state, reason, source: 'SOURCE_MASTER', message, timestamp: now / 1000 } } },
    });
  }

  private record(framework: FrameworkRecord, task: TaskInfo, resources: Resources, role: string): TaskRecord {
    return {
      task: {
        name: task.name,
        task_id: task.task_id,
        framework_id: { value: framework.id },
        ...(task.executor === undefined ? {} : { executor_id: task.executor.executor_id }),
        agent_id: task.agent_id,
        state: 'TASK_STAGING',
        resources: task.resources,
        statuses: [],
        ...(task.labels === undefined ? {} : { labels: task.labels }),
        ...(task.container === undefined ? {} : { container: task.container }),
        ...(task.kill_policy === undefined ? {} : { kill_policy: task.kill_policy }),
        user: framework.info.user,
      },
      frameworkId: framework.id,
      agentId: task.agent_id.value,
      resources,
      role,
      recovered: false,
      views: undefined,
    };
  }
}

function tasksOf(operation: NonNullable<Accept['operations']>[number]): TaskInfo[] {
  if (operation.type === 'LAUNCH') return operation.launch?.task_infos ?? [];
  if (operation.type === 'LAUNCH_GROUP') return operation.launch_group?.task_group.tasks ?? [];
  return [];
}
