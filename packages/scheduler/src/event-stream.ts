import { type IncomingMessage, request } from 'node:http';

/** The answer to a SUBSCRIBE: its status, where it was answered (after redirects), its stream. */
export interface EventStream {
  readonly status: number;
  /** The URL that answered, after any 307/308. */
  readonly url: string;
  readonly streamId: string | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
}

/**
 * POSTs a SUBSCRIBE and opens its event stream, following up to `redirects` 307/308 answers
 * (a standby master points at the leader). Over `http:` it uses `node:http`, whose body is read
 * as Node stream chunks; `fetch` handed the same bytes through web streams, which cost the
 * benchmarks' frameworks more CPU than their handling of the events. `https:` still uses fetch.
 * Aborting `signal` ends the stream with an error.
 */
export async function openStream(url: string, body: string, signal: AbortSignal, redirects = 5): Promise<EventStream> {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (!url.startsWith('http:')) {
    const response = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'follow' });
    return {
      status: response.status,
      url: response.url === '' ? url : response.url,
      streamId: response.headers.get('mesos-stream-id') ?? undefined,
      body: response.body ?? (async function* () {})(),
      text: () => response.text(),
    };
  }
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, signal }, resolve);
    req.once('error', reject);
    req.end(body);
  });
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if ((status === 307 || status === 308) && location !== undefined && redirects > 0) {
    res.resume();
    return openStream(new URL(location, url).toString(), body, signal, redirects - 1);
  }
  const streamId = res.headers['mesos-stream-id'];
  return {
    status,
    url,
    streamId: typeof streamId === 'string' ? streamId : undefined,
    body: res,
    text: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
