import { describe, expect, it } from 'vitest';
import { type StatusUpdate, StatusUpdateManager } from './status-update-manager.js';

const update = (task: string, state: StatusUpdate['status']['state'], uuid: string): StatusUpdate => ({
  framework_id: { value: 'f' },
  status: { task_id: { value: task }, state, uuid },
  timestamp: 0,
  uuid,
});

describe('StatusUpdateManager', () => {
  it('sends one update per task at a time, in order, the next once the previous is acknowledged', () => {
    const m = new StatusUpdateManager(10, 40);
    expect(m.update(update('t', 'TASK_RUNNING', 'a'), 0)?.uuid).toBe('a');
    expect(m.update(update('t', 'TASK_FINISHED', 'b'), 1)).toBeUndefined();
    expect(m.update(update('u', 'TASK_RUNNING', 'c'), 1)?.uuid).toBe('c');
    expect(m.acknowledge('f', 't', 'wrong', 2)).toEqual({ matched: false, next: undefined, finished: false });
    const next = m.acknowledge('f', 't', 'a', 3);
    expect(next.next?.uuid).toBe('b');
    expect(m.acknowledge('f', 't', 'b', 4)).toEqual({ matched: true, next: undefined, finished: true });
    expect(m.pendingFor('f', 't')).toEqual([]);
  });

  it('tells the master the latest state with an older unacknowledged update', () => {
    const m = new StatusUpdateManager(10, 40);
    m.update(update('t', 'TASK_RUNNING', 'a'), 0);
    m.update(update('t', 'TASK_FAILED', 'b'), 1);
    expect(m.due(10)[0]).toMatchObject({ uuid: 'a', latest_state: 'TASK_FAILED' });
  });

  it('retries an unacknowledged head with doubling intervals up to the maximum, and flushes all at once', () => {
    const m = new StatusUpdateManager(10, 40);
    m.update(update('t', 'TASK_RUNNING', 'a'), 0);
    expect(m.due(9)).toEqual([]);
    expect(m.due(10).map((u) => u.uuid)).toEqual(['a']);
    expect(m.due(29)).toEqual([]);
    expect(m.due(30)).toHaveLength(1);
    expect(m.due(69)).toEqual([]);
    expect(m.due(70)).toHaveLength(1);
    expect(m.due(110)).toHaveLength(1);
    expect(m.flush(111).map((u) => u.uuid)).toEqual(['a']);
  });

  it('accepts nothing after a terminal update and forgets a removed framework', () => {
    const m = new StatusUpdateManager(10, 40);
    m.update(update('t', 'TASK_KILLED', 'a'), 0);
    expect(m.update(update('t', 'TASK_RUNNING', 'b'), 1)).toBeUndefined();
    expect(m.pendingFor('f', 't')).toHaveLength(1);
    m.removeFramework('f');
    expect(m.size).toBe(0);
  });
});
