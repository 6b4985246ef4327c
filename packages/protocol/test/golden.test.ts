import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileDecoder,
  type Decoder,
  decodeExecutorCall,
  decodeOperatorCall,
  decodeSchedulerCall,
  internalMessages,
  PROTOCOL_VERSION,
  Resources,
  Schemas,
} from '../src/index.js';

/**
 * Golden encoded fixtures per protocol version: every message of the version decodes, and
 * encodes back to exactly the same JSON. A change that breaks an old fixture breaks the
 * compatibility rule; a new version gets its own folder next to the old ones.
 */
const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
const versions = readdirSync(root).sort();

const apiDecoders: Record<string, Decoder<unknown>> = {
  'scheduler-call': decodeSchedulerCall,
  'scheduler-event': compileDecoder(Schemas.SchedulerEvent),
  'executor-call': decodeExecutorCall,
  'operator-call': decodeOperatorCall,
};

function decoderFor(name: string): Decoder<unknown> | undefined {
  const internal = internalMessages.get(name);
  if (internal !== undefined) return internal;
  const kind = name.split('-').slice(0, 2).join('-');
  return apiDecoders[kind];
}

describe('golden fixtures', () => {
  it('include the current protocol version', () => {
    expect(versions).toContain(`v${PROTOCOL_VERSION}`);
  });

  for (const version of versions) {
    const files = readdirSync(`${root}${version}`).sort();
    it(`${version}: every internal message has a fixture`, () => {
      const named = new Set(files.map((f) => (JSON.parse(readFileSync(`${root}${version}/${f}`, 'utf8')) as { name: string }).name));
      for (const name of internalMessages.keys()) expect(named.has(name), `missing fixture for ${name}`).toBe(true);
    });

    for (const file of files) {
      it(`${version}/${file} decodes and re-encodes identically`, () => {
        const text = readFileSync(`${root}${version}/${file}`, 'utf8');
        const { name, body } = JSON.parse(text) as { name: string; body: unknown };
        const decode = decoderFor(name);
        expect(decode, `no decoder for ${name}`).toBeDefined();
        const decoded = decode!(body);
        expect(decoded.ok ? 'ok' : decoded.error).toBe('ok');
        expect(JSON.stringify(decoded.ok && decoded.value)).toBe(JSON.stringify(body));
        // Resources inside are valid resources too, not just well-shaped JSON.
        for (const list of findResourceLists(body)) expect(Resources.fromJson(list).ok).toBe(true);
      });
    }
  }
});

function findResourceLists(value: unknown): unknown[][] {
  const out: unknown[][] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if ((key === 'resources' || key === 'volumes') && Array.isArray(child)) out.push(child);
        visit(child);
      }
    }
  };
  visit(value);
  return out;
}
