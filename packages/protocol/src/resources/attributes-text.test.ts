import { describe, expect, it } from 'vitest';
import { parseAttributes } from './attributes-text.js';

describe('parseAttributes', () => {
  it('reads text, scalar, ranges and set values', () => {
    const parsed = parseAttributes('rack:r1;slots:4;ports:[1-2,5-9];zones:{a,b}');
    expect(parsed).toEqual({
      ok: true,
      value: [
        { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
        { name: 'slots', type: 'SCALAR', scalar: { value: 4 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }, { begin: 5, end: 9 }] } },
        { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
      ],
    });
  });

  it('rejects a pair without a value and a broken range', () => {
    expect(parseAttributes('rack').ok).toBe(false);
    expect(parseAttributes('p:[1-x]')).toEqual({ ok: false, error: "Invalid range '1-x' in attribute 'p'" });
  });
});
