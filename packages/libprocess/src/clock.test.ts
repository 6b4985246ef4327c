import { describe, expect, it } from 'vitest';
import { SystemClock } from './clock.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SystemClock', () => {
  it('waits out a delay longer than setTimeout takes (which Node would fire after 1 ms)', async () => {
    let fired = false;
    const timer = new SystemClock().setTimer(2 ** 31 + 1000, () => (fired = true));
    await sleep(30);
    expect(fired).toBe(false);
    timer.cancel();
  });

  it('waits in steps up to the due time, and a cancel between steps holds', async () => {
    const clock = new SystemClock(20);
    const firedAt: number[] = [];
    const started = Date.now();
    clock.setTimer(70, () => firedAt.push(Date.now() - started));
    const cancelled = clock.setTimer(70, () => firedAt.push(-1));
    await sleep(30); // past the first step
    cancelled.cancel();
    await sleep(120);
    expect(firedAt).toHaveLength(1);
    expect(firedAt[0]).toBeGreaterThanOrEqual(69);
  });

  it('never fires an infinite delay', async () => {
    let fired = false;
    new SystemClock(10).setTimer(Infinity, () => (fired = true));
    await sleep(40);
    expect(fired).toBe(false);
  });
});
