import { Empty, Field, Paged } from '../components.js';
import { ago, bytesFromMb, cores } from '../format.js';
import { type ClusterState, emptyScalars, isTerminal, usage } from '../store.js';
import { TaskTable } from './tasks.js';

export function Frameworks({ state }: { state: ClusterState }) {
  const { byFramework, capacity } = usage(state);
  const frameworks = [...state.frameworks.values()].sort((a, b) => Number(a.completed) - Number(b.completed) || a.name.localeCompare(b.name));
  const live = (id: string): number => [...state.tasks.values()].filter((t) => t.frameworkId === id && !isTerminal(t.state)).length;
  return (
    <div class="page">
      <h2>Frameworks ({frameworks.filter((f) => !f.completed).length} active)</h2>
      <Paged
        items={frameworks}
        empty={<Empty title="No framework has subscribed yet"><p>Frameworks subscribe to <code>http://{location.host}/api/v1/scheduler</code>; try <code>npx mesos-execute --master={location.host} --command='echo hi'</code>.</p></Empty>}
        head={
          <tr>
            <th>name</th>
            <th>id</th>
            <th>roles</th>
            <th>state</th>
            <th>live tasks</th>
            <th>cpus</th>
            <th>memory</th>
            <th>cpu share</th>
            <th>offers</th>
          </tr>
        }
        render={(f) => {
          const used = byFramework.get(f.id) ?? emptyScalars();
          return (
            <tr key={f.id} data-framework={f.id}>
              <td><a href={`#/frameworks/${encodeURIComponent(f.id)}`}>{f.name}</a></td>
              <td class="mono">{f.id}</td>
              <td>{f.roles.join(', ')}</td>
              <td>{f.completed ? <span class="badge idle">completed</span> : f.connected ? <span class="badge ok">connected</span> : <span class="badge busy">disconnected</span>}</td>
              <td>{live(f.id)}</td>
              <td>{cores(used.cpus)}</td>
              <td>{bytesFromMb(used.mem)}</td>
              <td>{capacity.cpus > 0 ? `${((used.cpus / capacity.cpus) * 100).toFixed(1)}%` : '—'}</td>
              <td>{f.offers}</td>
            </tr>
          );
        }}
      />
    </div>
  );
}

export function FrameworkDetail({ state, id }: { state: ClusterState; id: string }) {
  const framework = state.frameworks.get(id);
  if (framework === undefined) return <Empty title={`No framework '${id}'`}><p><a href="#/frameworks">All frameworks</a></p></Empty>;
  const tasks = [...state.tasks.values()].filter((t) => t.frameworkId === id);
  const used = usage(state).byFramework.get(id) ?? emptyScalars();
  return (
    <div class="page">
      <h2>Framework {framework.name}</h2>
      <dl>
        <Field label="id"><span class="mono">{framework.id}</span></Field>
        <Field label="user">{framework.user}</Field>
        <Field label="roles">{framework.roles.join(', ')}</Field>
        <Field label="registered">{ago(framework.registeredAt)}</Field>
        <Field label="holding">{cores(used.cpus)}, {bytesFromMb(used.mem)}</Field>
        <Field label="offers outstanding">{framework.offers} ({cores(framework.offered.cpus)}, {bytesFromMb(framework.offered.mem)})</Field>
      </dl>
      <h3>Tasks</h3>
      <TaskTable tasks={tasks} state={state} />
    </div>
  );
}
