import { Empty, Field, Paged, StateBadge } from '../components.js';
import { ago, bytesFromMb, cores } from '../format.js';
import { type ClusterState, type TaskView, taskKey } from '../store.js';
import { Sandbox } from './sandbox.js';

export function taskHref(task: TaskView): string {
  return `#/tasks/${encodeURIComponent(task.frameworkId)}/${encodeURIComponent(task.id)}`;
}

/** Newest first, paged. */
export function TaskTable({ tasks, state }: { tasks: readonly TaskView[]; state: ClusterState }) {
  const sorted = [...tasks].sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
  return (
    <Paged
      items={sorted}
      empty={<Empty title="No tasks match" />}
      head={
        <tr>
          <th>task</th>
          <th>state</th>
          <th>framework</th>
          <th>agent</th>
          <th>cpus</th>
          <th>memory</th>
          <th>changed</th>
        </tr>
      }
      render={(task) => (
        <tr key={taskKey(task.frameworkId, task.id)} data-task={task.id}>
          <td><a href={taskHref(task)}>{task.name || task.id}</a></td>
          <td><StateBadge state={task.state} /></td>
          <td><a href={`#/frameworks/${encodeURIComponent(task.frameworkId)}`}>{state.frameworks.get(task.frameworkId)?.name ?? task.frameworkId}</a></td>
          <td><a href={`#/agents/${encodeURIComponent(task.agentId)}`}>{state.agents.get(task.agentId)?.hostname ?? task.agentId}</a></td>
          <td>{cores(task.resources.cpus)}</td>
          <td>{bytesFromMb(task.resources.mem)}</td>
          <td>{ago(task.updatedAt)}</td>
        </tr>
      )}
    />
  );
}

/** One filter: a select of `[value, label]` options, 'any' first. */
function Choice({ name, value, set, options }: { name: string; value: string; set: (key: string, value: string) => void; options: readonly (readonly [string, string])[] }) {
  return (
    <label>
      {name}{' '}
      <select name={name} value={value} onChange={(e) => set(name, (e.target as HTMLSelectElement).value)}>
        <option value="">any</option>
        {options.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
      </select>
    </label>
  );
}

export function Tasks({ state, query }: { state: ClusterState; query: URLSearchParams }) {
  const want = { state: query.get('state') ?? '', framework: query.get('framework') ?? '', agent: query.get('agent') ?? '', text: query.get('q') ?? '' };
  const set = (key: string, value: string): void => {
    const next = new URLSearchParams(query);
    if (value === '') next.delete(key);
    else next.set(key, value);
    location.hash = `#/tasks?${next.toString()}`;
  };
  const all = [...state.tasks.values()];
  const states = [...new Set(all.map((t) => t.state))].sort();
  const tasks = all.filter(
    (t) =>
      (want.state === '' || t.state === want.state) &&
      (want.framework === '' || t.frameworkId === want.framework) &&
      (want.agent === '' || t.agentId === want.agent) &&
      (want.text === '' || t.id.includes(want.text) || t.name.includes(want.text)),
  );
  return (
    <div class="page">
      <h2>Tasks ({tasks.length} of {all.length})</h2>
      <div class="filters">
        <Choice name="state" value={want.state} set={set} options={states.map((s) => [s, s])} />
        <Choice name="framework" value={want.framework} set={set} options={[...state.frameworks.values()].map((f) => [f.id, `${f.name} (${f.id.slice(-4)})`])} />
        <Choice name="agent" value={want.agent} set={set} options={[...state.agents.values()].slice(0, 500).map((a) => [a.id, `${a.hostname} (${a.id.slice(-4)})`])} />
        <label>
          id or name <input name="q" value={want.text} onInput={(e) => set('q', (e.target as HTMLInputElement).value)} />
        </label>
      </div>
      {all.length === 0 ? <Empty title="No tasks yet"><p>Tasks appear here the moment a framework launches them.</p></Empty> : <TaskTable tasks={tasks} state={state} />}
    </div>
  );
}

export function TaskDetail({ state, frameworkId, taskId }: { state: ClusterState; frameworkId: string; taskId: string }) {
  const task = state.tasks.get(taskKey(frameworkId, taskId));
  if (task === undefined) return <Empty title={`No task '${taskId}'`}><p><a href="#/tasks">All tasks</a></p></Empty>;
  const agent = state.agents.get(task.agentId);
  return (
    <div class="page">
      <h2>
        Task {task.name || task.id} <StateBadge state={task.state} />
      </h2>
      <dl>
        <Field label="id"><span class="mono">{task.id}</span></Field>
        <Field label="framework"><a href={`#/frameworks/${encodeURIComponent(task.frameworkId)}`}>{state.frameworks.get(task.frameworkId)?.name ?? task.frameworkId}</a></Field>
        <Field label="agent"><a href={`#/agents/${encodeURIComponent(task.agentId)}`}>{agent?.hostname ?? task.agentId}</a></Field>
        <Field label="resources">{cores(task.resources.cpus)}, {bytesFromMb(task.resources.mem)}</Field>
        <Field label="started">{ago(task.startedAt)}</Field>
        <Field label="last change">{ago(task.updatedAt)}</Field>
        {task.message !== undefined && <Field label="message">{task.message}</Field>}
      </dl>
      <h3>Sandbox</h3>
      {agent?.url === undefined ? (
        <Empty title="The agent is not known">
          <p>Its sandbox cannot be reached from here.</p>
        </Empty>
      ) : (
        <Sandbox agentUrl={agent.url} root={`/frameworks/${task.frameworkId}/executors/${task.executorId}/runs/latest`} />
      )}
    </div>
  );
}
