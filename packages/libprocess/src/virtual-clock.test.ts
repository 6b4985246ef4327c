import { describe, expect, it } from 'vitest';
import { VirtualClock } from './index.js';

describe('VirtualClock', () => {
  it('fires timers in due order, at their due time, only when advanced', () => {
    const clock = new VirtualClock(1000);
    const fired: [string, number][] = [];
    clock.setTimer(30, () => fired.push(['c', clock.now()]));
    clock.setTimer(10, () => fired.push(['a', clock.now()]));
    clock.setTimer(10, () => fired.push(['b', clock.now()]));
    expect(fired).toEqual([]);
    clock.advance(20);
    expect(fired).toEqual([
      ['a', 1010],
      ['b', 1010],
    ]);
    expect(clock.now()).toBe(1020);
    clock.advance(100);
    expect(fired.at(-1)).toEqual(['c', 1030]);
    expect(clock.now()).toBe(1120);
  });

  it('does not fire cancelled timers', () => {
    const clock = new VirtualClock();
    let fired = false;
    const timer = clock.setTimer(5, () => {
      fired = true;
    });
    expect(clock.pending()).toBe(1);
    timer.cancel();
    expect(clock.pending()).toBe(0);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('fires timers armed during an advance when they fall inside it', () => {
    const clock = new VirtualClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimer(10, tick);
    };
    clock.setTimer(10, tick);
    clock.advance(35);
    expect(at).toEqual([10, 20, 30]);
    clock.advance(100);
    expect(at).toEqual([10, 20, 30, 40, 50]);
  });

  it('refuses to go backwards', () => {
    expect(() => new VirtualClock().advance(-1)).toThrow(RangeError);
  });
});
