import { Empty, Field, Meter } from '../components.js';
import { ago, bytesFromMb, cores, duration } from '../format.js';
import type { MasterSummary } from '../stream.js';
import { type ClusterState, tasksByState, usage } from '../store.js';
import { StateBadge } from '../components.js';

export function Overview({ state, master }: { state: ClusterState; master: MasterSummary | undefined }) {
  const { total, capacity } = usage(state);
  const frameworks = [...state.frameworks.values()];
  const byState = [...tasksByState(state)].sort((a, b) => b[1] - a[1]);
  return (
    <div class="page">
      <h2>Cluster</h2>
      <section class="cards">
        <div class="card" data-count="agents">
          <b>{state.agents.size}</b> agents
        </div>
        <div class="card" data-count="frameworks">
          <b>{frameworks.filter((f) => !f.completed).length}</b> frameworks
        </div>
        <div class="card" data-count="tasks">
          <b>{[...state.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length}</b> tasks running
        </div>
      </section>
      <section>
        <h3>Resources in use</h3>
        {state.agents.size === 0 ? (
          <Empty title="No agents have registered yet">
            <p>
              Start one with <code>npx mesos-agent --master={location.host} --work_dir=/var/lib/mesos/agent</code>.
            </p>
          </Empty>
        ) : (
          <>
            <Meter label="CPUs" used={total.cpus} total={capacity.cpus} format={cores} />
            <Meter label="Memory" used={total.mem} total={capacity.mem} format={bytesFromMb} />
            <Meter label="Disk" used={total.disk} total={capacity.disk} format={bytesFromMb} />
          </>
        )}
      </section>
      <section>
        <h3>Tasks by state</h3>
        {byState.length === 0 ? (
          <Empty title="No tasks yet">
            <p>
              Run one: <code>npx mesos-execute --master={location.host} --name=hello --command='echo hello'</code>
            </p>
          </Empty>
        ) : (
          <ul class="states">
            {byState.map(([s, n]) => (
              <li key={s}>
                <a href={`#/tasks?state=${s}`}>
                  <StateBadge state={s} /> {n}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      {master !== undefined && (
        <section>
          <h3>Leading master</h3>
          <dl>
            <Field label="master">{master.pid}</Field>
            <Field label="version">{master.version}</Field>
            <Field label="elected">{ago(master.electedTime)}</Field>
            <Field label="uptime">{master.startTime === undefined ? '—' : duration(Date.now() / 1000 - master.startTime)}</Field>
          </dl>
        </section>
      )}
    </div>
  );
}
