import { applyEvent, type ClusterState, fromGetState, RecordReader } from './store.js';

export interface MasterSummary {
  pid: string;
  hostname: string;
  version: string;
  startTime: number | undefined;
  electedTime: number | undefined;
}

export type Connection = 'connecting' | 'live' | 'retrying';

/**
 * Follows the master's v1 Operator API SUBSCRIBE stream: the snapshot in SUBSCRIBED, then
 * every event, reconnecting (with a fresh snapshot) a second after the stream ends. The page
 * is served by the leading master (a standby redirects the browser there), so `/api/v1` is
 * the leader's.
 */
export function followCluster(handlers: { state(state: ClusterState): void; changed(): void; connection(c: Connection, detail?: string): void }): () => void {
  let stopped = false;
  let abort: AbortController | undefined;
  const run = async (): Promise<void> => {
    while (!stopped) {
      handlers.connection('connecting');
      abort = new AbortController();
      try {
        const response = await fetch('/api/v1', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ type: 'SUBSCRIBE' }),
          signal: abort.signal,
        });
        if (response.status !== 200 || response.body === null) throw new Error(`SUBSCRIBE answered ${response.status}`);
        const reader = new RecordReader();
        let state: ClusterState | undefined;
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          for (const record of reader.push(chunk)) {
            const event = JSON.parse(record) as Record<string, unknown>;
            if (event['type'] === 'SUBSCRIBED') {
              state = fromGetState(((event['subscribed'] as Record<string, unknown>)['get_state'] ?? {}) as Record<string, unknown>);
              handlers.state(state);
              handlers.connection('live');
            } else if (state !== undefined && applyEvent(state, event)) handlers.changed();
          }
        }
        handlers.connection('retrying', 'The master closed the event stream');
      } catch (error) {
        if (stopped) return;
        handlers.connection('retrying', error instanceof Error ? error.message : String(error));
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return () => {
    stopped = true;
    abort?.abort();
  };
}

/** GET_MASTER: who leads and since when. */
export async function fetchMaster(): Promise<MasterSummary | undefined> {
  const response = await fetch('/api/v1', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ type: 'GET_MASTER' }) });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { get_master?: { master_info?: { pid?: string; hostname?: string; version?: string }; start_time?: number; elected_time?: number } };
  const info = body.get_master?.master_info ?? {};
  return { pid: info.pid ?? '', hostname: info.hostname ?? '', version: info.version ?? '', startTime: body.get_master?.start_time, electedTime: body.get_master?.elected_time };
}
