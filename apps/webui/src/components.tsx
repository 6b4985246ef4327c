import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { stateLabel } from './format.js';

export function StateBadge({ state }: { state: string }) {
  const { text, tone } = stateLabel(state);
  return <span class={`badge ${tone}`} data-state={state}>{text}</span>;
}

/** A used/total bar with its figures. */
export function Meter({ label, used, total, format }: { label: string; used: number; total: number; format: (n: number) => string }) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  return (
    <div class="meter" data-meter={label}>
      <div class="meter-head">
        <span>{label}</span>
        <span>
          {format(used)} of {format(total)} <b>{total > 0 ? `${Math.round(share * 100)}%` : ''}</b>
        </span>
      </div>
      <div class="meter-bar">
        <div class={`meter-fill ${share > 0.9 ? 'hot' : ''}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export const PAGE_SIZE = 50;

/** Shows one page of a long list (10,000 agents stay responsive: only a page is rendered). */
export function Paged<T>({ items, render, head, empty }: { items: readonly T[]; render: (item: T) => ComponentChildren; head: ComponentChildren; empty: ComponentChildren }) {
  const [page, setPage] = useState(0);
  if (items.length === 0) return <>{empty}</>;
  const pages = Math.ceil(items.length / PAGE_SIZE);
  const current = Math.min(page, pages - 1);
  const shown = items.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  return (
    <div>
      <table>
        <thead>{head}</thead>
        <tbody>{shown.map(render)}</tbody>
      </table>
      {pages > 1 && (
        <div class="pager">
          <button disabled={current === 0} onClick={() => setPage(current - 1)}>
            ‹ previous
          </button>
          <span>
            {current * PAGE_SIZE + 1}–{current * PAGE_SIZE + shown.length} of {items.length}
          </span>
          <button disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            next ›
          </button>
        </div>
      )}
    </div>
  );
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
