import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsRanges, normalizeRanges, rangesSize, subtractRanges, unionRanges } from './ranges.js';

const pairs = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })).map(([b, len]) => [b, b + len] as [number, number]),
  { maxLength: 6 },
);

/** The set of values, the obviously right model to check against. */
function values(bounds: readonly number[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < bounds.length; i += 2) for (let v = bounds[i]!; v <= bounds[i + 1]!; v++) out.add(v);
  return out;
}

describe('ranges', () => {
  it('normalizes to sorted, disjoint, non-adjacent ranges holding the same values', () => {
    fc.assert(
      fc.property(pairs, (p) => {
        const n = normalizeRanges(p);
        for (let i = 2; i < n.length; i += 2) expect(n[i]!).toBeGreaterThan(n[i - 1]! + 1);
        expect(values(n)).toEqual(values(p.flat()));
      }),
    );
  });

  it('merge and split round-trip: (a ∪ b) − b ∪ b == a ∪ b, and sizes add up', () => {
    fc.assert(
      fc.property(pairs, pairs, (pa, pb) => {
        const a = normalizeRanges(pa);
        const b = normalizeRanges(pb);
        const union = unionRanges(a, b);
        const rest = subtractRanges(union, b);
        expect(unionRanges(rest, b)).toEqual(union);
        expect(rangesSize(union)).toBe(rangesSize(rest) + rangesSize(b));
        expect(values(subtractRanges(a, b))).toEqual(new Set([...values(a)].filter((v) => !values(b).has(v))));
      }),
    );
  });

  it('contains agrees with the value-set model', () => {
    fc.assert(
      fc.property(pairs, pairs, (pa, pb) => {
        const a = normalizeRanges(pa);
        const b = normalizeRanges(pb);
        const model = [...values(b)].every((v) => values(a).has(v));
        expect(containsRanges(a, b)).toBe(model);
      }),
    );
  });
});
