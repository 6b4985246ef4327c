import { describe, expect, it } from 'vitest';
import type { Decoder } from './index.js';

describe('Decoder', () => {
  it('is a plain function from unknown to a result', () => {
    const isString: Decoder<string> = (body) =>
      typeof body === 'string' ? { ok: true, value: body } : { ok: false, error: 'not a string' };
    expect(isString('a')).toEqual({ ok: true, value: 'a' });
    expect(isString(1)).toEqual({ ok: false, error: 'not a string' });
  });
});
