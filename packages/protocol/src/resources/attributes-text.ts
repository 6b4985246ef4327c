import { err, ok, type Result } from '../result.js';
import type { AgentInfo } from '../schemas/mesos.js';

type Attribute = NonNullable<AgentInfo['attributes']>[number];

/**
 * Parses `--attributes` (docs/attributes-resources.md): `name:value` pairs separated by `;`.
 * A value is a scalar when it is a number, ranges when `[a-b,c-d]`, a set when `{a,b}`,
 * text otherwise.
 */
export function parseAttributes(text: string): Result<Attribute[]> {
  const attributes: Attribute[] = [];
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const colon = part.indexOf(':');
    if (colon <= 0) return err(`Invalid attribute '${part}': expected name:value`);
    const name = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (/^-?\d+(\.\d+)?$/.test(value)) {
      attributes.push({ name, type: 'SCALAR', scalar: { value: Number(value) } });
    } else if (value.startsWith('[') && value.endsWith(']')) {
      const range = [];
      for (const r of value.slice(1, -1).split(',')) {
        const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(r);
        if (m === null) return err(`Invalid range '${r}' in attribute '${name}'`);
        const begin = Number(m[1]);
        const end = Number(m[2]);
        if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end)) return err(`Range '${r.trim()}' in attribute '${name}' is beyond ${Number.MAX_SAFE_INTEGER}`);
        if (begin > end) return err(`Range '${r.trim()}' in attribute '${name}' ends before it begins`);
        range.push({ begin, end });
      }
      attributes.push({ name, type: 'RANGES', ranges: { range } });
    } else if (value.startsWith('{') && value.endsWith('}')) {
      attributes.push({ name, type: 'SET', set: { item: value.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== '') } });
    } else {
      attributes.push({ name, type: 'TEXT', text: { value } });
    }
  }
  return ok(attributes);
}

/** Agent attributes as the unversioned endpoints show them: `{"rack": "r1", "slots": 4}`. */
export function attributesModel(attributes: readonly Attribute[] | undefined): Record<string, string | number> {
  const model: Record<string, string | number> = {};
  for (const a of attributes ?? []) {
    if (a.type === 'SCALAR') model[a.name] = a.scalar?.value ?? 0;
    else if (a.type === 'TEXT') model[a.name] = a.text?.value ?? '';
    else if (a.type === 'RANGES') model[a.name] = `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    else model[a.name] = `{${(a.set?.item ?? []).join(',')}}`;
  }
  return model;
}
