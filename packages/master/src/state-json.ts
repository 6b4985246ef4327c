import { type AgentInfo, isTerminalState, Resources, resourcesModel, type Task } from '@ts-mesos/protocol';
import type { MasterCore } from './master-core.js';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord } from './records.js';

/** What `/master/state` adds about the process itself. */
export interface StateContext {
  readonly version: string;
  readonly startTimeMs: number;
  readonly electedTimeMs: number | undefined;
  readonly flags: Readonly<Record<string, string>>;
}

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Agent attributes as the unversioned endpoints show them: `{"rack": "r1", "slots": 4}`. */
export function attributesModel(attributes: AgentInfo['attributes']): Record<string, string | number> {
  const model: Record<string, string | number> = {};
  for (const a of attributes ?? []) {
    if (a.type === 'SCALAR') model[a.name] = a.scalar?.value ?? 0;
    else if (a.type === 'TEXT') model[a.name] = a.text?.value ?? '';
    else if (a.type === 'RANGES') model[a.name] = `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    else model[a.name] = `{${(a.set?.item ?? []).join(',')}}`;
  }
  return model;
}

function resourcesOf(json: Task['resources']): Resources {
  const parsed = Resources.fromJson(json);
  return parsed.ok ? parsed.value : Resources.EMPTY;
}

export function taskModel(task: Task, role?: string): Record<string, unknown> {
  return {
    id: task.task_id.value,
    name: task.name,
    framework_id: task.framework_id.value,
    executor_id: task.executor_id?.value ?? '',
    slave_id: task.agent_id.value,
    state: task.state,
    resources: resourcesModel(resourcesOf(task.resources)),
    ...(role === undefined ? {} : { role }),
    statuses: (task.statuses ?? []).map((s) => ({ state: s.state, timestamp: s.timestamp ?? 0 })),
    ...(task.labels === undefined ? {} : { labels: task.labels.labels }),
    ...(task.container === undefined ? {} : { container: task.container }),
  };
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

function sumTasks(tasks: Iterable<TaskRecord>): Resources {
  let used = Resources.EMPTY;
  for (const t of tasks) if (!isTerminalState(t.task.state)) used = used.add(t.resources);
  return used;
}

function sumOffers(core: MasterCore, ids: Iterable<string>): Resources {
  let offered = Resources.EMPTY;
  for (const id of ids) {
    const offer = core.offers.get(id);
    if (offer !== undefined) offered = offered.add(offer.resources);
  }
  return offered;
}

export function agentModel(core: MasterCore, agent: AgentRecord): Record<string, unknown> {
  const used = sumTasks(agent.tasks.values()).unallocate();
  return {
    id: agent.id,
    pid: agent.pid,
    hostname: agent.info.hostname,
    ...(agent.info.port === undefined ? {} : { port: agent.info.port }),
    registered_time: seconds(agent.registeredTimeMs),
    ...(agent.reregisteredTimeMs === undefined ? {} : { reregistered_time: seconds(agent.reregisteredTimeMs) }),
    resources: resourcesModel(agent.total),
    used_resources: resourcesModel(used),
    offered_resources: resourcesModel(sumOffers(core, agent.offers).unallocate()),
    reserved_resources: {},
    unreserved_resources: resourcesModel(agent.total.unreserved()),
    attributes: attributesModel(agent.info.attributes),
    active: agent.active,
    version: agent.version,
    capabilities: [],
  };
}

export function frameworkModel(core: MasterCore, framework: FrameworkRecord): Record<string, unknown> {
  const used = sumTasks(framework.tasks.values()).unallocate();
  const info = framework.info;
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
    resources: resourcesModel(used.add(sumOffers(core, framework.offers).unallocate())),
    used_resources: resourcesModel(used),
    offered_resources: resourcesModel(sumOffers(core, framework.offers).unallocate()),
    tasks: [...framework.tasks.values()].map((t) => taskModel(t.task, t.role)),
    unreachable_tasks: [],
    completed_tasks: framework.completedTasks.map((t) => taskModel(t)),
    offers: [...framework.offers].flatMap((id) => {
      const offer = core.offers.get(id);
      return offer === undefined ? [] : [offerModel(offer)];
    }),
    executors: [],
  };
}

/** `/master/state` with Mesos's field names (docs/endpoints/master/state.md). */
export function stateModel(core: MasterCore, context: StateContext): Record<string, unknown> {
  const info = core.options.info;
  const agents = [...core.agents.values()];
  const active = agents.filter((a) => a.active).length;
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
    deactivated_slaves: agents.length - active,
    unreachable_slaves: core.options.registry.unreachable.size,
    leader: info.pid,
    leader_info: info,
    flags: context.flags,
    slaves: agents.map((a) => agentModel(core, a)),
    frameworks: [...core.frameworks.values()].map((f) => frameworkModel(core, f)),
    completed_frameworks: core.completedFrameworks.map((f) => frameworkModel(core, f)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
