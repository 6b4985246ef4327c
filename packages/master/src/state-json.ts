import { attributesModel, isTerminalState, type Resources, ResourcesModelSum, type Task, taskStateModel } from '@ts-mesos/protocol';
import type { MasterCore } from './master-core.js';
import { roleSummaries } from './operator-api.js';
import { TextChunks } from './text-chunks.js';
import { type AgentRecord, type ExecutorRecord, executorsOf, type FrameworkRecord, type OfferRecord, type TaskRecord, type TaskViews, taskViews } from './records.js';

/** What `/master/state` adds about the process itself. */
export interface StateContext {
  readonly version: string;
  readonly startTimeMs: number;
  readonly electedTimeMs: number | undefined;
  readonly flags: Readonly<Record<string, string>>;
}

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

type Model = Record<string, number | string>;

/** A bag as `/master/state` shows it. */
function resourcesModel(resources: Resources): Model {
  return new ResourcesModelSum().add(resources).model();
}

/** The record's views with `role` shown: its model and text made again when the role shown changes. */
function viewsWithRole(record: TaskRecord, role: string | undefined): TaskViews {
  const views = taskViews(record);
  if (views.role !== role) {
    views.role = role;
    views.model = undefined;
    views.text = undefined;
  }
  return views;
}

/** A task's model (Mesos field names), rebuilt only when its state, latest status or role changed. */
export function taskModel(record: TaskRecord, role?: string): Record<string, unknown> {
  const views = viewsWithRole(record, role);
  return (views.model ??= taskStateModel(record.task, views.resources, role));
}

/**
 * A task's JSON text, made again only when its model would be. Only the text is kept: with the
 * model beside it every task (in the `busy` benchmark at 50,000 agents, 100,000 running and up to
 * 200,000 completed) would hold its state twice in the heap, for the collector to mark.
 */
function taskText(record: TaskRecord, role?: string): string {
  const views = viewsWithRole(record, role);
  return (views.text ??= JSON.stringify(views.model ?? taskStateModel(record.task, views.resources, role)));
}

function offerModel(offer: OfferRecord): Record<string, unknown> {
  return {
    id: offer.id,
    framework_id: offer.frameworkId,
    slave_id: offer.agentId,
    resources: resourcesModel(offer.resources),
    allocation_info: { role: offer.role },
  };
}

/** Adds the resources of the tasks that still hold theirs, and of the custom executors given. */
function sumTasks(tasks: Iterable<TaskRecord>, executors?: Iterable<ExecutorRecord>): ResourcesModelSum {
  const sum = new ResourcesModelSum();
  for (const t of tasks) if (!isTerminalState(t.task.state)) sum.add(t.resources);
  for (const e of executors ?? []) sum.add(e.resources);
  return sum;
}


function sumOffers(core: MasterCore, ids: Iterable<string>): ResourcesModelSum {
  const sum = new ResourcesModelSum();
  for (const id of ids) {
    const offer = core.offers.get(id);
    if (offer !== undefined) sum.add(offer.resources);
  }
  return sum;
}

/** Reserved resources by the role they are reserved to: `{"ops": {"cpus": 1, ...}}`. */
function reservedByRole(total: Resources): Record<string, Model> {
  const byRole = new Map<string, ResourcesModelSum>();
  for (const r of total.reserved()) {
    const role = r.reservations.at(-1)!.role;
    let sum = byRole.get(role);
    if (sum === undefined) byRole.set(role, (sum = new ResourcesModelSum()));
    sum.add([r]);
  }
  return Object.fromEntries([...byRole].map(([role, sum]) => [role, sum.model()]));
}

/** The fields of an agent's model before its used and offered resources. */
function agentHead(agent: AgentRecord): Record<string, unknown> {
  return {
    id: agent.id,
    pid: agent.pid,
    hostname: agent.info.hostname,
    ...(agent.info.port === undefined ? {} : { port: agent.info.port }),
    registered_time: seconds(agent.registeredTimeMs),
    ...(agent.reregisteredTimeMs === undefined ? {} : { reregistered_time: seconds(agent.reregisteredTimeMs) }),
    resources: resourcesModel(agent.total),
  };
}

/** The fields of an agent's model after its used and offered resources. */
function agentTail(agent: AgentRecord): Record<string, unknown> {
  return {
    reserved_resources: reservedByRole(agent.total),
    unreserved_resources: resourcesModel(agent.total.unreserved()),
    attributes: attributesModel(agent.info.attributes),
    active: agent.active,
    version: agent.version,
    capabilities: [],
  };
}

export function agentModel(core: MasterCore, agent: AgentRecord): Record<string, unknown> {
  const model = agentHead(agent);
  model['used_resources'] = sumTasks(agent.tasks.values(), agent.executors.values()).model();
  model['offered_resources'] = sumOffers(core, agent.offers).model();
  const tail = agentTail(agent);
  for (const key in tail) model[key] = tail[key];
  return model;
}

const EMPTY_SUM_TEXT = JSON.stringify(new ResourcesModelSum().model());

/**
 * An agent's model as JSON text in pieces, equal to `JSON.stringify(agentModel(core, agent))`
 * (or, `open`, to it without its last `}`).
 * All but its used and offered resources is kept as text until the agent changes: what it
 * depends on is compared by identity (`info` and `total` are replaced, never mutated).
 */
function agentJson(core: MasterCore, agent: AgentRecord, out: TextChunks, open = false): void {
  let text = agent.views;
  if (
    text === undefined ||
    text.info !== agent.info ||
    text.total !== agent.total ||
    text.pid !== agent.pid ||
    text.active !== agent.active ||
    text.version !== agent.version ||
    text.registered !== agent.registeredTimeMs ||
    text.reregistered !== agent.reregisteredTimeMs
  ) {
    text = {
      info: agent.info,
      total: agent.total,
      pid: agent.pid,
      active: agent.active,
      version: agent.version,
      registered: agent.registeredTimeMs,
      reregistered: agent.reregisteredTimeMs,
      head: `${JSON.stringify(agentHead(agent)).slice(0, -1)},"used_resources":`,
      tail: `,${JSON.stringify(agentTail(agent)).slice(1)}`,
    };
    agent.views = text;
  }
  out.add(text.head);
  out.add(agent.tasks.size === 0 && agent.executors.size === 0 ? EMPTY_SUM_TEXT : sumTasks(agent.tasks.values(), agent.executors.values()).json());
  out.add(',"offered_resources":');
  out.add(agent.offers.size === 0 ? EMPTY_SUM_TEXT : sumOffers(core, agent.offers).json());
  // Open: without its closing brace, for a caller that adds fields (`/master/state-summary`).
  out.add(open ? text.tail.slice(0, -1) : text.tail);
}

/** The fields of a framework's model before its tasks. */
function frameworkHead(core: MasterCore, framework: FrameworkRecord): Record<string, unknown> {
  const info = framework.info;
  const used = sumTasks(framework.tasks.values(), executorsOf(framework));
  const offered = sumOffers(core, framework.offers);
  return {
    id: framework.id,
    name: info.name,
    user: info.user,
    hostname: info.hostname ?? '',
    webui_url: info.webui_url ?? '',
    role: info.role ?? '*',
    ...(info.roles === undefined ? {} : { roles: info.roles }),
    principal: info.principal,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    capabilities: (info.capabilities ?? []).map((c) => c.type),
    active: framework.active,
    connected: framework.connected,
    recovered: framework.recovered,
    registered_time: seconds(framework.registeredTimeMs),
    ...(framework.reregisteredTimeMs === undefined ? {} : { reregistered_time: seconds(framework.reregisteredTimeMs) }),
    unregistered_time: seconds(framework.unregisteredTimeMs) ?? 0,
    resources: used.plus(offered).model(),
    used_resources: used.model(),
    offered_resources: offered.model(),
  };
}

function frameworkOffers(core: MasterCore, framework: FrameworkRecord): Record<string, unknown>[] {
  return [...framework.offers].flatMap((id) => {
    const offer = core.offers.get(id);
    return offer === undefined ? [] : [offerModel(offer)];
  });
}

export function frameworkModel(core: MasterCore, framework: FrameworkRecord): Record<string, unknown> {
  const model = frameworkHead(core, framework);
  model['tasks'] = [...framework.tasks.values()].map((t) => taskModel(t, t.role));
  model['unreachable_tasks'] = [];
  model['completed_tasks'] = framework.completedTasks.map((t) => taskModel(t));
  model['offers'] = frameworkOffers(core, framework);
  model['executors'] = [];
  return model;
}

/** A framework's model as JSON text in pieces, equal to `JSON.stringify(frameworkModel(core, framework))`. */
function frameworkJson(core: MasterCore, framework: FrameworkRecord, out: TextChunks): void {
  out.add(`${JSON.stringify(frameworkHead(core, framework)).slice(0, -1)},"tasks":[`);
  out.list(framework.tasks.values(), (t) => out.add(taskText(t, t.role)));
  out.add('],"unreachable_tasks":[],"completed_tasks":[');
  out.list(framework.completedTasks, (t) => out.add(taskText(t)));
  out.add(`],"offers":${JSON.stringify(frameworkOffers(core, framework))},"executors":[]}`);
}

/** The fields of `/master/state` before `slaves`. */
function stateHead(core: MasterCore, context: StateContext): Record<string, unknown> {
  const info = core.options.info;
  let active = 0;
  for (const agent of core.agents.values()) if (agent.active) active++;
  return {
    version: context.version,
    build_date: '',
    build_time: 0,
    build_user: '',
    start_time: context.startTimeMs / 1000,
    ...(context.electedTimeMs === undefined ? {} : { elected_time: context.electedTimeMs / 1000 }),
    id: info.id,
    pid: info.pid,
    hostname: info.hostname,
    activated_slaves: active,
    deactivated_slaves: core.agents.size - active,
    unreachable_slaves: core.options.registry.unreachable.size,
    leader: info.pid,
    leader_info: info,
    flags: context.flags,
  };
}

/** The fields of `/master/state` after `slaves`. */
function stateTail(core: MasterCore): Record<string, unknown> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => frameworkModel(core, f)),
    completed_frameworks: core.completedFrameworks.map((f) => frameworkModel(core, f)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}

/** `/master/state` with Mesos's field names (docs/endpoints/master/state.md). */
export function stateModel(core: MasterCore, context: StateContext): Record<string, unknown> {
  const model = stateHead(core, context);
  model['slaves'] = [...core.agents.values()].map((a) => agentModel(core, a));
  const tail = stateTail(core);
  for (const key in tail) model[key] = tail[key];
  return model;
}

/**
 * `/master/state` as JSON text in chunks of about 32K characters, together equal to
 * `JSON.stringify(stateModel(core, context))`. Each agent's unchanging part and each task are
 * kept as text between calls: at 50,000 agents and 100,000 tasks they are most of the answer,
 * and most of them have not changed since the last time it was asked for.
 */
export function stateJsonChunks(core: MasterCore, context: StateContext): Iterable<string> {
  const out = new TextChunks();
  out.add(`${JSON.stringify(stateHead(core, context)).slice(0, -1)},"slaves":[`);
  out.list(core.agents.values(), (agent) => agentJson(core, agent, out));
  out.add('],"frameworks":[');
  out.list(core.frameworks.values(), (framework) => frameworkJson(core, framework, out));
  out.add('],"completed_frameworks":[');
  out.list(core.completedFrameworks, (framework) => frameworkJson(core, framework, out));
  out.add('],"orphan_tasks":[],"unregistered_frameworks":[]}');
  return out.end();
}

/** `/master/state` as one string (see `stateJsonChunks`). */
export function stateJson(core: MasterCore, context: StateContext): string {
  return [...stateJsonChunks(core, context)].join('');
}

/** The states `/master/state-summary` always counts (others only when a task is in one). */
const COUNTED_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE'] as const;
const COUNTED_INDEX = new Map<string, number>(COUNTED_STATES.map((state, i) => [state, i]));

function taskCounts(tasks: Iterable<TaskRecord>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const state of COUNTED_STATES) counts[state] = 0;
  for (const t of tasks) counts[t.task.state] = (counts[t.task.state] ?? 0) + 1;
  return counts;
}

/** What `/master/state-summary` adds to an agent's model: its tasks by state, and the frameworks they belong to. */
function agentSummaryExtra(agent: AgentRecord): Record<string, unknown> {
  const extra: Record<string, unknown> = taskCounts(agent.tasks.values());
  const frameworkIds = new Set<string>();
  for (const t of agent.tasks.values()) frameworkIds.add(t.frameworkId);
  extra['framework_ids'] = [...frameworkIds];
  return extra;
}

/**
 * `agentSummaryExtra` as the text that follows an open agent object: `,"TASK_STAGING":0,...}`.
 * Counted into an array and written out, unless a task is in a state not always counted.
 */
function agentSummaryText(agent: AgentRecord): string {
  const c = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let ids = '';
  let first: string | undefined;
  let more: Set<string> | undefined;
  for (const t of agent.tasks.values()) {
    const i = COUNTED_INDEX.get(t.task.state);
    if (i === undefined) return `,${JSON.stringify(agentSummaryExtra(agent)).slice(1)}`;
    c[i]!++;
    if (first === undefined) first = t.frameworkId;
    else if (t.frameworkId !== first) (more ??= new Set([first])).add(t.frameworkId);
  }
  if (more !== undefined) ids = JSON.stringify([...more]).slice(1, -1);
  else if (first !== undefined) ids = JSON.stringify(first);
  // One template, in COUNTED_STATES' order.
  return `,"TASK_STAGING":${c[0]},"TASK_STARTING":${c[1]},"TASK_RUNNING":${c[2]},"TASK_KILLING":${c[3]},"TASK_FINISHED":${c[4]},"TASK_KILLED":${c[5]},"TASK_FAILED":${c[6]},"TASK_LOST":${c[7]},"TASK_ERROR":${c[8]},"TASK_UNREACHABLE":${c[9]},"framework_ids":[${ids}]}`;
}

/** `/master/state-summary`: agents and frameworks without their tasks, with task counts by state. */
export function stateSummaryModel(core: MasterCore): Record<string, unknown> {
  return {
    hostname: core.options.info.hostname,
    cluster: '',
    slaves: [...core.agents.values()].map((agent) => {
      const model = agentModel(core, agent);
      const extra = agentSummaryExtra(agent);
      for (const key in extra) model[key] = extra[key];
      return model;
    }),
    frameworks: frameworkSummaries(core),
  };
}

/**
 * `/master/state-summary` as JSON text in chunks, equal to `JSON.stringify(stateSummaryModel(core))`.
 * Each agent's text is the one `/master/state` keeps (see `agentJson`) with the counts added:
 * building a fresh model of every agent for this answer took 1.1 s at 50,000 agents, most of
 * it the collector's, with the master's event loop held the while.
 */
export function stateSummaryJsonChunks(core: MasterCore): Iterable<string> {
  const out = new TextChunks();
  out.add(`${JSON.stringify({ hostname: core.options.info.hostname, cluster: '' }).slice(0, -1)},"slaves":[`);
  out.list(core.agents.values(), (agent) => {
    agentJson(core, agent, out, true);
    out.add(agentSummaryText(agent));
  });
  out.add(`],"frameworks":${JSON.stringify(frameworkSummaries(core))}}`);
  return out.end();
}

/** The frameworks of `/master/state-summary`. */
function frameworkSummaries(core: MasterCore): Record<string, unknown>[] {
  return [...core.frameworks.values()].map((framework) => {
    const agentIds = new Set([...framework.tasks.values()].map((t) => t.agentId));
    return {
      id: framework.id,
      name: framework.info.name,
      pid: '',
      used_resources: sumTasks(framework.tasks.values(), executorsOf(framework)).model(),
      offered_resources: sumOffers(core, framework.offers).model(),
      capabilities: (framework.info.capabilities ?? []).map((c) => c.type),
      hostname: framework.info.hostname ?? '',
      webui_url: framework.info.webui_url ?? '',
      active: framework.active,
      connected: framework.connected,
      recovered: framework.recovered,
      ...taskCounts(framework.tasks.values()),
      slave_ids: [...agentIds],
    };
  });
}

export interface TaskQuery {
  readonly limit: number;
  readonly offset: number;
  readonly order: 'asc' | 'des';
  readonly frameworkId?: string;
  readonly taskId?: string;
}

/** Parses `/master/tasks`'s `limit` (default 100), `offset`, `order` (`asc` or `des`), `framework_id`, `task_id`. */
export function parseTaskQuery(query: URLSearchParams): { ok: true; value: TaskQuery } | { ok: false; error: string } {
  const number = (name: string, fallback: number): number | string => {
    const text = query.get(name);
    if (text === null) return fallback;
    const value = Number(text);
    return Number.isSafeInteger(value) && value >= 0 ? value : `Invalid '${name}': expected a non-negative integer, got '${text}'`;
  };
  const limit = number('limit', 100);
  if (typeof limit === 'string') return { ok: false, error: limit };
  const offset = number('offset', 0);
  if (typeof offset === 'string') return { ok: false, error: offset };
  const order = query.get('order') ?? 'des';
  if (order !== 'asc' && order !== 'des') return { ok: false, error: `Invalid 'order': expected 'asc' or 'des', got '${order}'` };
  const frameworkId = query.get('framework_id');
  const taskId = query.get('task_id');
  return { ok: true, value: { limit, offset, order, ...(frameworkId === null ? {} : { frameworkId }), ...(taskId === null ? {} : { taskId }) } };
}

/** The time a task started (its first status), for `/master/tasks` ordering. */
function startTime(task: Task): number {
  return task.statuses?.[0]?.timestamp ?? 0;
}

/** `/master/tasks`: active and completed tasks of every framework, ordered by start time. */
export function tasksModel(core: MasterCore, query: TaskQuery): Record<string, unknown> {
  const tasks: { record: TaskRecord; role?: string }[] = [];
  for (const framework of [...core.frameworks.values(), ...core.completedFrameworks]) {
    if (query.frameworkId !== undefined && framework.id !== query.frameworkId) continue;
    for (const t of framework.tasks.values()) tasks.push({ record: t, role: t.role });
    for (const t of framework.completedTasks) tasks.push({ record: t });
  }
  const selected = query.taskId === undefined ? tasks : tasks.filter((t) => t.record.task.task_id.value === query.taskId);
  selected.sort((a, b) => (query.order === 'asc' ? startTime(a.record.task) - startTime(b.record.task) : startTime(b.record.task) - startTime(a.record.task)));
  return { tasks: selected.slice(query.offset, query.offset + query.limit).map((t) => taskModel(t.record, t.role)) };
}

/** `/master/frameworks` (optionally one, by `framework_id`). */
export function frameworksModel(core: MasterCore, frameworkId: string | null): Record<string, unknown> {
  const keep = (f: FrameworkRecord): boolean => frameworkId === null || f.id === frameworkId;
  return {
    frameworks: [...core.frameworks.values()].filter(keep).map((f) => frameworkModel(core, f)),
    completed_frameworks: core.completedFrameworks.filter(keep).map((f) => frameworkModel(core, f)),
    unregistered_frameworks: [],
  };
}

/** `/master/slaves` (optionally one, by `slave_id`). */
export function agentsModel(core: MasterCore, agentId: string | null): Record<string, unknown> {
  return {
    slaves: [...core.agents.values()].filter((a) => agentId === null || a.id === agentId).map((a) => agentModel(core, a)),
    recovered_slaves: [],
  };
}

/** `/master/roles`: every role with frameworks, tasks, offers or reservations, and what it holds. */
export function rolesModel(core: MasterCore, weights: ReadonlyMap<string, number>): Record<string, unknown> {
  return {
    roles: roleSummaries(core, weights).map((r) => ({
      name: r.name,
      weight: r.weight,
      frameworks: r.frameworks,
      resources: resourcesModel(r.allocated.add(r.offered)),
      allocated: resourcesModel(r.allocated),
      offered: resourcesModel(r.offered),
      reserved: resourcesModel(r.reserved),
    })),
  };
}
