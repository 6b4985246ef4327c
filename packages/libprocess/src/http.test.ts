import { describe, expect, it } from 'vitest';
import { Http, type HttpResponse } from './http.js';

async function text(response: HttpResponse): Promise<string> {
  const body = response.body;
  if (body === undefined || typeof body === 'string') return body ?? '';
  if (body instanceof Uint8Array) return Buffer.from(body).toString();
  let all = '';
  for await (const chunk of body) all += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return all;
}

describe('Http.jsonpChunks', () => {
  const query = (q: string) => ({ query: new URLSearchParams(q) });

  it('streams the chunks as they are, as JSON, or wrapped in the jsonp callback', async () => {
    let made = 0;
    const chunks = () => (made++, ['{"a":', '[1,2]', '}']);
    const plain = Http.jsonpChunks(query(''), chunks);
    expect(plain.headers).toEqual({ 'content-type': 'application/json' });
    expect(typeof plain.body).toBe('object');
    expect(await text(plain)).toBe('{"a":[1,2]}');
    const wrapped = Http.jsonpChunks(query('jsonp=cb.x'), chunks);
    expect(wrapped.headers).toEqual({ 'content-type': 'text/javascript' });
    expect(await text(wrapped)).toBe('cb.x({"a":[1,2]});');
    expect(made).toBe(2);
  });

  it('refuses a callback that is not an identifier without making the answer', async () => {
    let made = 0;
    const refused = Http.jsonpChunks(query('jsonp=alert(1)'), () => (made++, ['{}']));
    expect(refused.status).toBe(400);
    expect(await text(refused)).toContain("Invalid jsonp callback 'alert(1)'");
    expect(made).toBe(0);
  });
});
