import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles up to the maximum, with jitter in the upper half, and resets', () => {
    const top = new Backoff(100, 700, () => 1);
    expect([top.next(), top.next(), top.next(), top.next()]).toEqual([100, 200, 400, 700]);
    const bottom = new Backoff(100, 700, () => 0);
    expect([bottom.next(), bottom.next()]).toEqual([50, 100]);
    bottom.reset();
    expect(bottom.next()).toBe(50);
  });
});
