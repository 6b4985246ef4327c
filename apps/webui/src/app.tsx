import { useEffect, useState } from 'preact/hooks';
import { Empty } from './components.js';
import { type Connection, fetchMaster, followCluster, type MasterSummary } from './stream.js';
import type { ClusterState } from './store.js';
import { AgentDetail, Agents } from './views/agents.js';
import { FrameworkDetail, Frameworks } from './views/frameworks.js';
import { Overview } from './views/overview.js';
import { Roles } from './views/roles.js';
import { TaskDetail, Tasks } from './views/tasks.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export function App() {
  const [state, setState] = useState<ClusterState | undefined>(undefined);
  const [, setVersion] = useState(0);
  const [connection, setConnection] = useState<{ c: Connection; detail?: string }>({ c: 'connecting' });
  const [master, setMaster] = useState<MasterSummary | undefined>(undefined);
  const hash = useHash();
  useEffect(() => {
    // Many events can arrive per frame (a framework launching thousands of tasks): redraw at most once per frame.
    let pending = false;
    const redraw = (): void => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        setVersion((v) => v + 1);
      });
    };
    return followCluster({
      state: (s) => {
        setState(s);
        void fetchMaster().then(setMaster, () => undefined);
      },
      changed: redraw,
      connection: (c, detail) => setConnection(detail === undefined ? { c } : { c, detail }),
    });
  }, []);
  const [path = '', queryText = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const query = new URLSearchParams(queryText);
  const section = parts[0] ?? '';
  let page;
  if (state === undefined) page = <Empty title="Connecting to the master…"><p>{connection.detail ?? 'Waiting for the cluster state.'}</p></Empty>;
  else if (section === 'agents' && parts[1] !== undefined) page = <AgentDetail state={state} id={parts[1]} />;
  else if (section === 'agents') page = <Agents state={state} />;
  else if (section === 'frameworks' && parts[1] !== undefined) page = <FrameworkDetail state={state} id={parts[1]} />;
  else if (section === 'frameworks') page = <Frameworks state={state} />;
  else if (section === 'tasks' && parts[2] !== undefined) page = <TaskDetail state={state} frameworkId={parts[1]!} taskId={parts[2]} />;
  else if (section === 'tasks') page = <Tasks state={state} query={query} />;
  else if (section === 'roles') page = <Roles version={state.version} />;
  else page = <Overview state={state} master={master} />;
  const nav = [
    ['', 'Overview'],
    ['agents', 'Agents'],
    ['frameworks', 'Frameworks'],
    ['tasks', 'Tasks'],
    ['roles', 'Roles'],
  ];
  return (
    <>
      <header>
        <h1>
          <a href="#/">ts-mesos</a>
        </h1>
        <nav>
          {nav.map(([key, label]) => (
            <a key={key} href={`#/${key}`} class={section === key ? 'current' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class={`live ${connection.c}`} title={connection.detail ?? ''} data-connection={connection.c}>
          {connection.c === 'live' ? '● live' : connection.c === 'connecting' ? '○ connecting' : '○ reconnecting'}
        </span>
      </header>
      <main>{page}</main>
    </>
  );
}
