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

  it('rejects a range that ends before it begins, or past the largest safe integer', () => {
    expect(parseAttributes('r:[5-1]')).toEqual({ ok: false, error: "Range '5-1' in attribute 'r' ends before it begins" });
    expect(parseAttributes('r:[1-2, 9-99999999999999999999]')).toEqual({ ok: false, error: `Range '9-99999999999999999999' in attribute 'r' is beyond ${Number.MAX_SAFE_INTEGER}` });
    expect(parseAttributes('r:[3-3]')).toEqual({ ok: true, value: [{ name: 'r', type: 'RANGES', ranges: { range: [{ begin: 3, end: 3 }] } }] });
  });
});
