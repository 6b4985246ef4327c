import { isTerminalState, type OperatorEvent, type OperatorResponse, type Resource, Resources, type Task } from '@ts-mesos/protocol';
import type { MasterCore } from './master-core.js';
import { TextChunks } from './text-chunks.js';
import { type AgentRecord, type ExecutorRecord, executorsOf, type FrameworkRecord, type TaskRecord, taskViews } from './records.js';

/** What the Operator API answers need besides the core. */
export interface OperatorContext {
  readonly startTimeMs: number;
  readonly electedTimeMs: number | undefined;
  readonly flags: Readonly<Record<string, string>>;
  readonly metrics: () => Readonly<Record<string, number>>;
  readonly version: Record<string, string | number>;
}

type Response<K extends keyof OperatorResponse> = NonNullable<OperatorResponse[K]>;
type ResourceList = NonNullable<Task['resources']>;

const timeInfo = (ms: number | undefined): { nanoseconds: number } | undefined => (ms === undefined ? undefined : { nanoseconds: Math.round(ms * 1e6) });
/** A bag's JSON list, built once per bag (bags never change). */
const lists = new WeakMap<Resources, ResourceList>();
const list = (r: Resources): ResourceList => {
  let json = lists.get(r);
  if (json === undefined) lists.set(r, (json = r.toJson() as unknown as ResourceList));
  return json;
};

/** What tasks that have not ended and the custom executors given hold. */
function held(tasks: Iterable<{ readonly task: Task; readonly resources: Resources }>, executors: Iterable<ExecutorRecord> = []): Resources {
  const bags: Resources[] = [];
  for (const t of tasks) if (!isTerminalState(t.task.state)) bags.push(t.resources);
  for (const e of executors) bags.push(e.resources);
  return Resources.sum(bags);
}

function allocatedOn(agent: AgentRecord): Resources {
  return held(agent.tasks.values(), agent.executors.values());
}

/** `master::Response::GetAgents::Agent`. */
export function operatorAgent(core: MasterCore, agent: AgentRecord): Response<'get_agents'>['agents'][number] {
  const offered = Resources.sum([...agent.offers].flatMap((id) => core.offers.get(id)?.resources ?? []));
  const registered = timeInfo(agent.registeredTimeMs);
  const reregistered = timeInfo(agent.reregisteredTimeMs);
  return {
    agent_info: agent.info,
    active: agent.active,
    deactivated: false,
    version: agent.version,
    pid: agent.pid,
    ...(registered === undefined ? {} : { registered_time: registered }),
    ...(reregistered === undefined ? {} : { reregistered_time: reregistered }),
    total_resources: list(agent.total),
    allocated_resources: list(allocatedOn(agent)),
    offered_resources: list(offered),
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'HIERARCHICAL_ROLE' }, { type: 'RESERVATION_REFINEMENT' }],
  };
}

/** `master::Response::GetFrameworks::Framework`. */
export function operatorFramework(core: MasterCore, framework: FrameworkRecord): Response<'get_frameworks'>['frameworks'][number] {
  const allocated = held(framework.tasks.values(), executorsOf(framework));
  let offered = Resources.EMPTY;
  const offers = [];
  for (const id of framework.offers) {
    const offer = core.offers.get(id);
    if (offer === undefined) continue;
    offered = offered.add(offer.resources);
    const agent = core.agents.get(offer.agentId);
    offers.push({
      id: { value: offer.id },
      framework_id: { value: offer.frameworkId },
      agent_id: { value: offer.agentId },
      hostname: agent?.info.hostname ?? '',
      resources: list(offer.resources),
      allocation_info: { role: offer.role },
    });
  }
  const registered = timeInfo(framework.registeredTimeMs);
  const reregistered = timeInfo(framework.reregisteredTimeMs);
  const unregistered = timeInfo(framework.unregisteredTimeMs);
  return {
    framework_info: { ...framework.info, id: { value: framework.id } },
    active: framework.active,
    connected: framework.connected,
    recovered: framework.recovered,
    ...(registered === undefined ? {} : { registered_time: registered }),
    ...(reregistered === undefined ? {} : { reregistered_time: reregistered }),
    ...(unregistered === undefined ? {} : { unregistered_time: unregistered }),
    offers: offers,
    allocated_resources: list(allocated),
    offered_resources: list(offered),
  };
}

export function getAgents(core: MasterCore): Response<'get_agents'> {
  return { agents: [...core.agents.values()].map((a) => operatorAgent(core, a)), recovered_agents: [] };
}

export function getFrameworks(core: MasterCore): Response<'get_frameworks'> {
  return {
    frameworks: [...core.frameworks.values()].map((f) => operatorFramework(core, f)),
    completed_frameworks: core.completedFrameworks.map((f) => operatorFramework(core, f)),
  };
}

export function getExecutors(core: MasterCore): Response<'get_executors'> {
  const executors: Response<'get_executors'>['executors'] = [];
  for (const framework of core.frameworks.values()) {
    for (const [agentId, byId] of framework.executors) for (const executor of byId.values()) executors.push({ executor_info: executor.info, agent_id: { value: agentId } });
  }
  return { executors };
}

export function getTasks(core: MasterCore): Response<'get_tasks'> {
  const tasks: Task[] = [];
  const completed: Task[] = [];
  for (const framework of [...core.frameworks.values(), ...core.completedFrameworks]) {
    for (const t of framework.tasks.values()) (isTerminalState(t.task.state) ? completed : tasks).push(t.task);
    for (const t of framework.completedTasks) completed.push(t.task);
  }
  return { tasks, unreachable_tasks: [], completed_tasks: completed };
}

export function getState(core: MasterCore): Response<'get_state'> {
  return { get_tasks: getTasks(core), get_executors: getExecutors(core), get_frameworks: getFrameworks(core), get_agents: getAgents(core) };
}

/** A task's JSON, serialised again only when the task changed (its state or latest status). */
export function taskJson(record: TaskRecord): string {
  const views = taskViews(record);
  return (views.json ??= JSON.stringify(record.task));
}

/**
 * `get_tasks` as JSON text, the same as `JSON.stringify(getTasks(core))` but built from each
 * task's cached JSON: at 100,000 tasks serialising them all again on every GET_STATE or
 * SUBSCRIBE is most of the answer's cost.
 */
export function getTasksJson(core: MasterCore): string {
  return [...writeTasks(core, new TextChunks()).end()].join('');
}

/** Writes `get_tasks` (see `getTasksJson`) into `out`. */
function writeTasks(core: MasterCore, out: TextChunks): TextChunks {
  const tasks: string[] = [];
  const completed: string[] = [];
  for (const framework of [...core.frameworks.values(), ...core.completedFrameworks]) {
    for (const t of framework.tasks.values()) (isTerminalState(t.task.state) ? completed : tasks).push(taskJson(t));
    for (const t of framework.completedTasks) completed.push(taskJson(t));
  }
  out.add('{"tasks":[');
  out.list(tasks, (json) => out.add(json));
  out.add('],"unreachable_tasks":[],"completed_tasks":[');
  out.list(completed, (json) => out.add(json));
  out.add(']}');
  return out;
}

/** An agent's JSON, serialised again only when something it shows changed. */
function agentJson(core: MasterCore, agent: AgentRecord): string {
  // What the answer depends on besides `info` and `total` (compared by identity: both are replaced, never mutated).
  let key = `${agent.active}|${agent.version}|${agent.pid}|${agent.registeredTimeMs}|${agent.reregisteredTimeMs}|${[...agent.offers].join(',')}|`;
  for (const t of agent.tasks.values()) key += `${t.task.task_id.value}:${t.task.state};`;
  const cached = agent.operatorView;
  if (cached !== undefined && cached.info === agent.info && cached.total === agent.total && cached.key === key) return cached.json;
  const json = JSON.stringify(operatorAgent(core, agent));
  agent.operatorView = { info: agent.info, total: agent.total, key, json };
  return json;
}

/** `get_agents` as JSON text, equal to `JSON.stringify(getAgents(core))`, from cached per-agent JSON. */
export function getAgentsJson(core: MasterCore): string {
  return [...writeAgents(core, new TextChunks()).end()].join('');
}

/** Writes `get_agents` (see `getAgentsJson`) into `out`. */
function writeAgents(core: MasterCore, out: TextChunks): TextChunks {
  out.add('{"agents":[');
  out.list(core.agents.values(), (agent) => out.add(agentJson(core, agent)));
  out.add('],"recovered_agents":[]}');
  return out;
}

/**
 * `get_state` as JSON text in chunks of about 32K characters (see `TextChunks`), together equal
 * to `getStateJson(core)`, from the same cached task and agent JSON. At 50,000 agents and
 * 100,000 tasks the answer is ~100 MB: as one string it was joined, flattened, measured and
 * encoded whole on the master's event loop, for every GET_STATE and operator SUBSCRIBE.
 */
export function getStateJsonChunks(core: MasterCore, out = new TextChunks()): TextChunks {
  out.add('{"get_tasks":');
  writeTasks(core, out);
  out.add(`,"get_executors":${JSON.stringify(getExecutors(core))},"get_frameworks":${JSON.stringify(getFrameworks(core))},"get_agents":`);
  writeAgents(core, out);
  out.add('}');
  return out;
}

/** `get_state` as one string (see `getStateJsonChunks`); equal to `JSON.stringify(getState(core))`. */
export function getStateJson(core: MasterCore): string {
  return [...getStateJsonChunks(core).end()].join('');
}

/** One role's holdings, for `/master/roles` and GET_ROLES. */
export interface RoleSummary {
  readonly name: string;
  readonly weight: number;
  readonly frameworks: readonly string[];
  readonly allocated: Resources;
  readonly offered: Resources;
  readonly reserved: Resources;
}

/** Every role with frameworks, tasks, offers, reservations or a weight, sorted by name. */
export function roleSummaries(core: MasterCore, weights: ReadonlyMap<string, number>): RoleSummary[] {
  const rows = new Map<string, { frameworks: Set<string>; allocated: Resources[]; offered: Resources[]; reserved: Resource[] }>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (r === undefined) rows.set(name, (r = { frameworks: new Set(), allocated: [], offered: [], reserved: [] }));
    return r;
  };
  for (const framework of core.frameworks.values()) {
    for (const role of framework.roles) row(role).frameworks.add(framework.id);
    for (const t of framework.tasks.values()) if (!isTerminalState(t.task.state)) row(t.role).allocated.push(t.resources);
  }
  for (const offer of core.offers.values()) row(offer.role).offered.push(offer.resources);
  for (const agent of core.agents.values()) {
    for (const resource of agent.total.reserved()) {
      const role = resource.reservations.at(-1)?.role;
      if (role !== undefined) row(role).reserved.push(resource);
    }
  }
  for (const role of weights.keys()) row(role);
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, r]) => ({
      name,
      weight: weights.get(name) ?? 1,
      frameworks: [...r.frameworks],
      allocated: Resources.sum(r.allocated).unallocate(),
      offered: Resources.sum(r.offered).unallocate(),
      reserved: Resources.sum([r.reserved]),
    }));
}

export function getRoles(core: MasterCore, weights: ReadonlyMap<string, number>): Response<'get_roles'> {
  return {
    roles: roleSummaries(core, weights).map((r) => ({
      name: r.name,
      weight: r.weight,
      frameworks: r.frameworks.map((value) => ({ value })),
      allocated: list(r.allocated),
      offered: list(r.offered),
      reserved: list(r.reserved),
    })),
  };
}

/** Answers the read-only calls; undefined for a call type this function does not answer. */
export function operatorResponse(core: MasterCore, type: string, context: OperatorContext): OperatorResponse | undefined {
  switch (type) {
    case 'GET_HEALTH':
      return { type, get_health: { healthy: true } };
    case 'GET_FLAGS':
      return { type, get_flags: { flags: Object.entries(context.flags).map(([name, value]) => ({ name, value })) } };
    case 'GET_VERSION': {
      const v = context.version;
      return { type, get_version: { version_info: { version: String(v['version']), build_date: String(v['build_date'] ?? ''), build_time: Number(v['build_time'] ?? 0), build_user: String(v['build_user'] ?? ''), git_sha: String(v['git_sha'] ?? '') } } };
    }
    case 'GET_METRICS':
      return { type, get_metrics: { metrics: Object.entries(context.metrics()).map(([name, value]) => ({ name, value })) } };
    case 'GET_STATE':
      return { type, get_state: getState(core) };
    case 'GET_AGENTS':
      return { type, get_agents: getAgents(core) };
    case 'GET_FRAMEWORKS':
      return { type, get_frameworks: getFrameworks(core) };
    case 'GET_EXECUTORS':
      return { type, get_executors: getExecutors(core) };
    case 'GET_TASKS':
      return { type, get_tasks: getTasks(core) };
    case 'GET_ROLES':
      return { type, get_roles: getRoles(core, core.weights) };
    case 'GET_MASTER':
      return {
        type,
        get_master: {
          master_info: core.options.info,
          start_time: context.startTimeMs / 1000,
          ...(context.electedTimeMs === undefined ? {} : { elected_time: context.electedTimeMs / 1000 }),
        },
      };
    default:
      return undefined;
  }
}

/** The events the master's operator SUBSCRIBE stream carries, built only when someone listens. */
export type OperatorEventBuilder = () => OperatorEvent;
