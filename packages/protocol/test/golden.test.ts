import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import {
  type Decoder,
  decodeExecutorCall,
  decodeExecutorEvent,
  decodeOperatorCall,
  decodeOperatorEvent,
  decodeOperatorResponse,
  decodeSchedulerCall,
  decodeSchedulerEvent,
  internalMessages,
  InternalSchemas,
  messageName,
  PROTOCOL_VERSION,
  Resources,
  Schemas,
} from '../src/index.js';

/**
 * Golden encoded fixtures per protocol version (`fixtures/v<version>/*.json`, each
 * `{"name": ..., "body": ...}`): every message of a version decodes, every field it carries
 * is one its schema knows (so a renamed or dropped field breaks the fixture), and it encodes
 * back to exactly the same JSON. A change that breaks an old version's fixture breaks the
 * compatibility rule; a new version gets its own folder next to the old ones.
 */
const root = fileURLToPath(new URL('./fixtures/', import.meta.url));
const versions = readdirSync(root).sort();

const api: Record<string, { decode: Decoder<unknown>; schema: TSchema }> = {
  'scheduler-call': { decode: decodeSchedulerCall, schema: Schemas.SchedulerCall },
  'scheduler-event': { decode: decodeSchedulerEvent, schema: Schemas.SchedulerEvent },
  'executor-call': { decode: decodeExecutorCall, schema: Schemas.ExecutorCall },
  'executor-event': { decode: decodeExecutorEvent, schema: Schemas.ExecutorEvent },
  'operator-call': { decode: decodeOperatorCall, schema: Schemas.OperatorCall },
  'operator-response': { decode: decodeOperatorResponse, schema: Schemas.OperatorResponse },
  'operator-event': { decode: decodeOperatorEvent, schema: Schemas.OperatorEvent },
};

const internal = new Map(Object.entries(InternalSchemas).map(([short, schema]) => [messageName(short as keyof typeof InternalSchemas), schema as TSchema]));

function codecFor(name: string): { decode: Decoder<unknown>; schema: TSchema } | undefined {
  const decode = internalMessages.get(name);
  const schema = internal.get(name);
  if (decode !== undefined && schema !== undefined) return { decode, schema };
  // API fixtures are named `<api>-<call|event|response>-<TYPE>`.
  return api[name.split('-').slice(0, 2).join('-')];
}

function findResourceLists(value: unknown): unknown[][] {
  const out: unknown[][] = [];
  // `volumes` holds resources under CREATE/DESTROY, but container volumes under ContainerInfo.
  const visit = (v: unknown, parent: string): void => {
    if (Array.isArray(v)) v.forEach((item) => visit(item, parent));
    else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        const resources = key.endsWith('resources') || (key === 'volumes' && parent !== 'container');
        if (resources && Array.isArray(child)) out.push(child);
        visit(child, key);
      }
    }
  };
  visit(value, '');
  return out;
}

describe('golden fixtures', () => {
  it('include the current protocol version', () => {
    expect(versions).toContain(`v${PROTOCOL_VERSION}`);
  });

  for (const version of versions) {
    const files = readdirSync(`${root}${version}`).sort();
    const read = (file: string): { name: string; body: unknown } => JSON.parse(readFileSync(`${root}${version}/${file}`, 'utf8')) as { name: string; body: unknown };

    it(`${version}: every internal message has a fixture`, () => {
      const named = new Set(files.map((f) => read(f).name));
      for (const name of internalMessages.keys()) expect(named.has(name), `missing fixture for ${name}`).toBe(true);
    });

    for (const file of files) {
      it(`${version}/${file} decodes, knows every field, and re-encodes identically`, () => {
        const { name, body } = read(file);
        const codec = codecFor(name);
        expect(codec, `no decoder for '${name}'`).toBeDefined();
        const decoded = codec!.decode(body);
        expect(decoded.ok ? 'ok' : decoded.error).toBe('ok');
        // Value.Clean drops what the schema does not describe: nothing may go.
        expect(Value.Clean(codec!.schema, structuredClone(body))).toEqual(body);
        expect(JSON.stringify(decoded.ok && decoded.value)).toBe(JSON.stringify(body));
        // Resources inside are valid resources, and their Mesos JSON comes back as written.
        for (const list of findResourceLists(body)) {
          const parsed = Resources.fromJson(list);
          expect(parsed.ok ? 'ok' : parsed.error).toBe('ok');
        }
      });
    }
  }
});
