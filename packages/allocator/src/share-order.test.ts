import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShareOrder } from './share-order.js';

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), name: fc.integer({ min: 0, max: 30 }), share: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ kind: fc.constant('update' as const), name: fc.integer({ min: 0, max: 30 }), share: fc.integer({ min: 0, max: 8 }) }),
  fc.record({ kind: fc.constant('remove' as const), name: fc.integer({ min: 0, max: 30 }), share: fc.constant(0) }),
);

describe('ShareOrder', () => {
  it('keeps its items sorted by (share, name) through any adds, updates and removes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const order = new ShareOrder<string>();
        const model = new Map<string, number>();
        for (const { kind, name: n, share } of ops) {
          const name = `f${n}`;
          if (kind === 'add' && !model.has(name)) {
            order.add(name, name, share / 8);
            model.set(name, share / 8);
          } else if (kind === 'update') {
            order.update(name, share / 8);
            if (model.has(name)) model.set(name, share / 8);
          } else if (kind === 'remove') {
            order.remove(name);
            model.delete(name);
          }
          const expected = [...model.entries()].sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0)).map(([name]) => name);
          expect(order.items()).toEqual(expected);
          expect(order.size).toBe(model.size);
        }
      }),
      { numRuns: 300 },
    );
  });
});
