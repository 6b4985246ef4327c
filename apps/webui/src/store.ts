/**
 * The cluster as the UI sees it, built from the v1 Operator API: a GET_STATE snapshot (in
 * SUBSCRIBED) and then the events that change it. Pure: no I/O, so it is tested in Node.
 */

export interface Scalars {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
}

export interface AgentView {
  id: string;
  hostname: string;
  /** `http://ip:port` of the agent, from its pid (for its sandbox files). */
  url: string | undefined;
  active: boolean;
  total: Scalars;
  attributes: Record<string, string>;
  registeredAt: number | undefined;
}

export interface FrameworkView {
  id: string;
  name: string;
  user: string;
  roles: string[];
  active: boolean;
  connected: boolean;
  offers: number;
  offered: Scalars;
  registeredAt: number | undefined;
  completed: boolean;
}

export interface TaskView {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  executorId: string;
  state: string;
  resources: Scalars;
  /** When the task last changed state (seconds since the epoch). */
  updatedAt: number | undefined;
  startedAt: number | undefined;
  message: string | undefined;
}

export interface ClusterState {
  agents: Map<string, AgentView>;
  frameworks: Map<string, FrameworkView>;
  /** By `frameworkId/taskId`. */
  tasks: Map<string, TaskView>;
  /** Bumped on every change, so views know to redraw. */
  version: number;
}

type Json = Record<string, unknown>;
type Resource = { name?: string; type?: string; scalar?: { value?: number } };

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']);

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

export function emptyScalars(): Scalars {
  return { cpus: 0, mem: 0, disk: 0, gpus: 0 };
}

export function scalars(resources: unknown): Scalars {
  const out = emptyScalars();
  if (!Array.isArray(resources)) return out;
  for (const r of resources as Resource[]) {
    const value = r.scalar?.value;
    if (typeof value !== 'number') continue;
    if (r.name === 'cpus' || r.name === 'mem' || r.name === 'disk' || r.name === 'gpus') out[r.name] += value;
  }
  return out;
}

export function addScalars(a: Scalars, b: Scalars): Scalars {
  return { cpus: a.cpus + b.cpus, mem: a.mem + b.mem, disk: a.disk + b.disk, gpus: a.gpus + b.gpus };
}

/** A string field, or the fallback (numbers and booleans as text). */
function str(value: unknown, fallback = ''): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

function id(value: unknown): string {
  return typeof value === 'object' && value !== null && typeof (value as Json)['value'] === 'string' ? ((value as Json)['value'] as string) : '';
}

function seconds(time: unknown): number | undefined {
  const ns = typeof time === 'object' && time !== null ? (time as Json)['nanoseconds'] : undefined;
  return typeof ns === 'number' ? ns / 1e9 : undefined;
}

function agentUrl(pid: unknown): string | undefined {
  if (typeof pid !== 'string') return undefined;
  const at = pid.indexOf('@');
  return at < 0 ? undefined : `http://${pid.slice(at + 1)}`;
}

function attributes(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as Json[]) {
    const name = str(a['name']);
    const text = (a['text'] as Json | undefined)?.['value'];
    const scalar = (a['scalar'] as Json | undefined)?.['value'];
    out[name] = text !== undefined ? str(text) : scalar !== undefined ? str(scalar) : JSON.stringify(a['ranges'] ?? a['set'] ?? '');
  }
  return out;
}

export function agentView(agent: Json): AgentView {
  const info = (agent['agent_info'] ?? {}) as Json;
  return {
    id: id(info['id']),
    hostname: str(info['hostname']),
    url: agentUrl(agent['pid']),
    active: agent['active'] !== false,
    total: scalars(agent['total_resources'] ?? info['resources']),
    attributes: attributes(info['attributes']),
    registeredAt: seconds(agent['registered_time']),
  };
}

export function frameworkView(framework: Json, completed = false): FrameworkView {
  const info = (framework['framework_info'] ?? framework) as Json;
  const roles = Array.isArray(info['roles']) ? (info['roles'] as string[]) : [str(info['role'], '*')];
  return {
    id: id(info['id']),
    name: str(info['name']),
    user: str(info['user']),
    roles,
    active: framework['active'] === true,
    connected: framework['connected'] === true,
    offers: Array.isArray(framework['offers']) ? framework['offers'].length : 0,
    offered: scalars(framework['offered_resources']),
    registeredAt: seconds(framework['registered_time']),
    completed,
  };
}

export function taskView(task: Json): TaskView {
  const statuses = Array.isArray(task['statuses']) ? (task['statuses'] as Json[]) : [];
  const last = statuses.at(-1);
  const running = statuses.find((s) => s['state'] === 'TASK_RUNNING');
  return {
    id: id(task['task_id']),
    name: str(task['name']),
    frameworkId: id(task['framework_id']),
    agentId: id(task['agent_id']),
    executorId: id(task['executor_id']) || id(task['task_id']),
    state: str(task['state'], 'TASK_STAGING'),
    resources: scalars(task['resources']),
    updatedAt: typeof last?.['timestamp'] === 'number' ? last['timestamp'] : undefined,
    startedAt: typeof running?.['timestamp'] === 'number' ? running['timestamp'] : undefined,
    message: typeof last?.['message'] === 'string' ? last['message'] : undefined,
  };
}

export function taskKey(frameworkId: string, taskId: string): string {
  return `${frameworkId}/${taskId}`;
}

/** The state in a GET_STATE answer (the `get_state` of SUBSCRIBED). */
export function fromGetState(getState: Json): ClusterState {
  const state: ClusterState = { agents: new Map(), frameworks: new Map(), tasks: new Map(), version: 0 };
  const agents = ((getState['get_agents'] as Json | undefined)?.['agents'] ?? []) as Json[];
  for (const a of agents) {
    const view = agentView(a);
    state.agents.set(view.id, view);
  }
  const frameworks = (getState['get_frameworks'] ?? {}) as Json;
  for (const f of (frameworks['frameworks'] ?? []) as Json[]) {
    const view = frameworkView(f);
    state.frameworks.set(view.id, view);
  }
  for (const f of (frameworks['completed_frameworks'] ?? []) as Json[]) {
    const view = frameworkView(f, true);
    state.frameworks.set(view.id, view);
  }
  const tasks = (getState['get_tasks'] ?? {}) as Json;
  for (const list of ['completed_tasks', 'unreachable_tasks', 'tasks']) {
    for (const t of (tasks[list] ?? []) as Json[]) {
      const view = taskView(t);
      state.tasks.set(taskKey(view.frameworkId, view.id), view);
    }
  }
  return state;
}

/** Applies one Operator API event; returns false for events that change nothing here (HEARTBEAT). */
export function applyEvent(state: ClusterState, event: Json): boolean {
  switch (event['type']) {
    case 'TASK_ADDED': {
      const view = taskView(((event['task_added'] as Json)['task'] ?? {}) as Json);
      state.tasks.set(taskKey(view.frameworkId, view.id), view);
      break;
    }
    case 'TASK_UPDATED': {
      const update = event['task_updated'] as Json;
      const status = (update['status'] ?? {}) as Json;
      const key = taskKey(id(update['framework_id']), id(status['task_id']));
      const task = state.tasks.get(key);
      if (task === undefined) return false;
      task.state = str(update['state'], str(status['state'], task.state));
      if (typeof status['timestamp'] === 'number') task.updatedAt = status['timestamp'];
      if (task.state === 'TASK_RUNNING' && task.startedAt === undefined) task.startedAt = task.updatedAt;
      task.message = typeof status['message'] === 'string' ? status['message'] : task.message;
      break;
    }
    case 'AGENT_ADDED': {
      const view = agentView(((event['agent_added'] as Json)['agent'] ?? {}) as Json);
      state.agents.set(view.id, view);
      break;
    }
    case 'AGENT_REMOVED': {
      const agent = state.agents.get(id((event['agent_removed'] as Json)['agent_id']));
      if (agent === undefined) return false;
      state.agents.delete(agent.id);
      break;
    }
    case 'FRAMEWORK_ADDED':
    case 'FRAMEWORK_UPDATED': {
      const payload = (event['framework_added'] ?? event['framework_updated']) as Json;
      const view = frameworkView((payload['framework'] ?? {}) as Json);
      state.frameworks.set(view.id, view);
      break;
    }
    case 'FRAMEWORK_REMOVED': {
      const info = ((event['framework_removed'] as Json)['framework_info'] ?? {}) as Json;
      const framework = state.frameworks.get(id(info['id']));
      if (framework === undefined) return false;
      framework.completed = true;
      framework.active = false;
      framework.connected = false;
      break;
    }
    default:
      return false;
  }
  state.version++;
  return true;
}

/** Resources held by live tasks, per agent and in all. */
export function usage(state: ClusterState): { byAgent: Map<string, Scalars>; byFramework: Map<string, Scalars>; total: Scalars; capacity: Scalars } {
  const byAgent = new Map<string, Scalars>();
  const byFramework = new Map<string, Scalars>();
  let total = emptyScalars();
  for (const task of state.tasks.values()) {
    if (isTerminal(task.state)) continue;
    byAgent.set(task.agentId, addScalars(byAgent.get(task.agentId) ?? emptyScalars(), task.resources));
    byFramework.set(task.frameworkId, addScalars(byFramework.get(task.frameworkId) ?? emptyScalars(), task.resources));
    total = addScalars(total, task.resources);
  }
  let capacity = emptyScalars();
  for (const agent of state.agents.values()) capacity = addScalars(capacity, agent.total);
  return { byAgent, byFramework, total, capacity };
}

/** Counts of tasks by state. */
export function tasksByState(state: ClusterState): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of state.tasks.values()) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  return counts;
}

/** Splits RecordIO (`<length>\n<record>`) from a byte stream, chunk by chunk. */
export class RecordReader {
  private buffer = new Uint8Array(0);
  private readonly text = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    const merged = new Uint8Array(this.buffer.length + chunk.length);
    merged.set(this.buffer);
    merged.set(chunk, this.buffer.length);
    const records: string[] = [];
    let at = 0;
    for (;;) {
      const newline = merged.indexOf(10, at);
      if (newline < 0) break;
      const length = Number(this.text.decode(merged.subarray(at, newline)));
      if (!Number.isInteger(length) || length < 0) throw new Error('Malformed RecordIO length');
      if (merged.length < newline + 1 + length) break;
      records.push(this.text.decode(merged.subarray(newline + 1, newline + 1 + length)));
      at = newline + 1 + length;
    }
    this.buffer = merged.slice(at);
    return records;
  }
}
