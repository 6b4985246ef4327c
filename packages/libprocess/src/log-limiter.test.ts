import { describe, expect, it } from 'vitest';
import { LogLimiter } from './log-limiter.js';

describe('LogLimiter', () => {
  it('lets `limit` lines a window through per source, counts the rest, and reports them with the next line logged', () => {
    const limiter = new LogLimiter(2, 1000);
    const at = (source: string, now: number) => limiter.allow(source, now);
    expect([at('a', 0), at('a', 10), at('a', 20), at('a', 30)]).toEqual([
      { log: true, suppressed: 0 },
      { log: true, suppressed: 0 },
      { log: false, suppressed: 0 },
      { log: false, suppressed: 0 },
    ]);
    expect(at('b', 40)).toEqual({ log: true, suppressed: 0 }); // each source has its own
    expect(at('a', 1000)).toEqual({ log: true, suppressed: 2 });
    expect(at('a', 1001)).toEqual({ log: true, suppressed: 0 });
  });
});
