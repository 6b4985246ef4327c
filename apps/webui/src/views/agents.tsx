import { Empty, Field, Meter, Paged } from '../components.js';
import { ago, bytesFromMb, cores } from '../format.js';
import { type ClusterState, emptyScalars, isTerminal, usage } from '../store.js';
import { TaskTable } from './tasks.js';

export function Agents({ state }: { state: ClusterState }) {
  const { byAgent } = usage(state);
  const live = new Map<string, number>();
  for (const task of state.tasks.values()) if (!isTerminal(task.state)) live.set(task.agentId, (live.get(task.agentId) ?? 0) + 1);
  const agents = [...state.agents.values()].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  return (
    <div class="page">
      <h2>Agents ({agents.length})</h2>
      <Paged
        items={agents}
        empty={<Empty title="No agents have registered yet"><p>Agents register with the leading master; start one with <code>npx mesos-agent --master={location.host} --work_dir=DIR</code>.</p></Empty>}
        head={
          <tr>
            <th>hostname</th>
            <th>id</th>
            <th>cpus</th>
            <th>memory</th>
            <th>disk</th>
            <th>live tasks</th>
            <th>attributes</th>
            <th>registered</th>
          </tr>
        }
        render={(agent) => {
          const used = byAgent.get(agent.id) ?? emptyScalars();
          const attributes = Object.entries(agent.attributes);
          return (
            <tr key={agent.id} data-agent={agent.id}>
              <td>
                <a href={`#/agents/${encodeURIComponent(agent.id)}`}>{agent.hostname}</a>
                {!agent.active && <span class="badge bad">inactive</span>}
              </td>
              <td class="mono">{agent.id}</td>
              <td>{cores(used.cpus)} / {cores(agent.total.cpus)}</td>
              <td>{bytesFromMb(used.mem)} / {bytesFromMb(agent.total.mem)}</td>
              <td>{bytesFromMb(used.disk)} / {bytesFromMb(agent.total.disk)}</td>
              <td>{live.get(agent.id) ?? 0}</td>
              <td>{attributes.length === 0 ? '—' : attributes.map(([k, v]) => <span class="chip" key={k}>{k}: {v}</span>)}</td>
              <td>{ago(agent.registeredAt)}</td>
            </tr>
          );
        }}
      />
    </div>
  );
}

export function AgentDetail({ state, id }: { state: ClusterState; id: string }) {
  const agent = state.agents.get(id);
  if (agent === undefined) return <Empty title={`No agent '${id}'`}><p>It may have been removed. <a href="#/agents">All agents</a></p></Empty>;
  const used = usage(state).byAgent.get(id) ?? emptyScalars();
  const tasks = [...state.tasks.values()].filter((t) => t.agentId === id);
  return (
    <div class="page">
      <h2>Agent {agent.hostname}</h2>
      <dl>
        <Field label="id"><span class="mono">{agent.id}</span></Field>
        <Field label="endpoint">{agent.url ?? '—'}</Field>
        <Field label="registered">{ago(agent.registeredAt)}</Field>
        <Field label="attributes">{Object.keys(agent.attributes).length === 0 ? 'none' : Object.entries(agent.attributes).map(([k, v]) => <span class="chip" key={k}>{k}: {v}</span>)}</Field>
      </dl>
      <Meter label="CPUs" used={used.cpus} total={agent.total.cpus} format={cores} />
      <Meter label="Memory" used={used.mem} total={agent.total.mem} format={bytesFromMb} />
      <Meter label="Disk" used={used.disk} total={agent.total.disk} format={bytesFromMb} />
      <h3>Tasks ({tasks.filter((t) => !isTerminal(t.state)).length} live, {tasks.length} in all)</h3>
      <TaskTable tasks={tasks} state={state} />
    </div>
  );
}
