import { useEffect, useRef, useState } from 'preact/hooks';
import { Empty } from '../components.js';
import { fileSize } from '../format.js';

interface Entry {
  path: string;
  size: number;
  mode: string;
  mtime: number;
}

const TAIL_BYTES = 64 * 1024;

/** A task's sandbox on its agent: the files (`/files/browse`) and one of them tailed live (`/files/read`). */
export function Sandbox({ agentUrl, root }: { agentUrl: string; root: string }) {
  const [dir, setDir] = useState(root);
  const [entries, setEntries] = useState<Entry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    const load = async (): Promise<void> => {
      try {
        const response = await fetch(`${agentUrl}/files/browse?path=${encodeURIComponent(dir)}`);
        if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
        const list = (await response.json()) as Entry[];
        if (!cancelled) {
          setEntries(list);
          setError(undefined);
          if (open === undefined && dir === root && list.some((e) => e.path.endsWith('/stdout'))) setOpen(`${root}/stdout`);
        }
      } catch (e) {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 3000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [agentUrl, dir]);
  if (error !== undefined) return <Empty title="The sandbox cannot be read"><p>{error}</p></Empty>;
  if (entries === undefined) return <p>Loading…</p>;
  return (
    <div class="sandbox">
      <div class="crumbs mono">{dir.slice(root.length) || '/'}</div>
      <ul class="files">
        {dir !== root && (
          <li>
            <a href="javascript:void 0" onClick={() => setDir(dir.slice(0, dir.lastIndexOf('/')))}>..</a>
          </li>
        )}
        {entries.map((e) => {
          const name = e.path.slice(e.path.lastIndexOf('/') + 1);
          const isDir = e.mode.startsWith('d');
          return (
            <li key={e.path} data-file={name}>
              <a href="javascript:void 0" onClick={() => (isDir ? setDir(e.path) : setOpen(e.path))}>
                {name}
                {isDir ? '/' : ''}
              </a>{' '}
              <span class="dim">{isDir ? '' : fileSize(e.size)}</span>{' '}
              {!isDir && <a class="dim" href={`${agentUrl}/files/download?path=${encodeURIComponent(e.path)}`}>download</a>}
            </li>
          );
        })}
      </ul>
      {open !== undefined && <Tail agentUrl={agentUrl} path={open} />}
    </div>
  );
}

/** The end of a file, followed as it grows (polled each second while shown). */
function Tail({ agentUrl, path }: { agentUrl: string; path: string }) {
  const [text, setText] = useState('');
  const offset = useRef(-1);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    let cancelled = false;
    offset.current = -1;
    setText('');
    const poll = async (): Promise<void> => {
      const base = `${agentUrl}/files/read?path=${encodeURIComponent(path)}`;
      if (offset.current < 0) {
        const size = ((await (await fetch(`${base}&offset=-1`)).json()) as { offset: number }).offset;
        offset.current = Math.max(0, size - TAIL_BYTES);
      }
      const chunk = (await (await fetch(`${base}&offset=${offset.current}&length=${TAIL_BYTES}`)).json()) as { data: string; offset: number };
      if (cancelled || chunk.data === '') return;
      offset.current = chunk.offset + new TextEncoder().encode(chunk.data).length;
      setText((previous) => (previous + chunk.data).slice(-TAIL_BYTES * 2));
      requestAnimationFrame(() => box.current?.scrollTo(0, box.current.scrollHeight));
    };
    const tick = (): void => void poll().catch(() => undefined);
    tick();
    const timer = setInterval(tick, 1000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [agentUrl, path]);
  return (
    <div class="tail">
      <div class="tail-head mono">{path.slice(path.lastIndexOf('/') + 1)} (live)</div>
      <pre ref={box} data-tail={path.slice(path.lastIndexOf('/') + 1)}>{text === '' ? '(empty so far)' : text}</pre>
    </div>
  );
}
