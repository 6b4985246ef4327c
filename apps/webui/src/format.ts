/** Human units: megabytes as MiB/GiB/TiB, cpus as cores, times as "3 min ago". */

export function bytesFromMb(mb: number): string {
  if (mb >= 1024 * 1024) return `${(mb / 1024 / 1024).toFixed(1)} TiB`;
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GiB`;
  return `${Math.round(mb)} MiB`;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return bytesFromMb(bytes / 1024 / 1024);
}

export function cores(cpus: number): string {
  const text = Number.isInteger(cpus) ? String(cpus) : cpus.toFixed(2).replace(/0$/, '');
  return `${text} ${cpus === 1 ? 'core' : 'cores'}`;
}

export function ago(epochSeconds: number | undefined, nowMs = Date.now()): string {
  if (epochSeconds === undefined) return '—';
  const s = Math.max(0, Math.round(nowMs / 1000 - epochSeconds));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

/** `TASK_RUNNING` -> `running`, with the CSS class of its colour. */
export function stateLabel(state: string): { text: string; tone: 'ok' | 'busy' | 'done' | 'bad' | 'idle' } {
  const text = state.replace(/^TASK_/, '').toLowerCase().replace(/_/g, ' ');
  if (state === 'TASK_RUNNING') return { text, tone: 'ok' };
  if (state === 'TASK_FINISHED') return { text, tone: 'done' };
  if (['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNREACHABLE'].includes(state)) return { text, tone: 'bad' };
  if (['TASK_KILLED', 'TASK_KILLING'].includes(state)) return { text, tone: 'idle' };
  return { text, tone: 'busy' };
}
