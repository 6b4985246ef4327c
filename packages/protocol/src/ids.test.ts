import { describe, expect, it } from 'vitest';
import { AgentId, fromWireId, InvalidIdError, TaskId, toWireId } from './ids.js';

describe('IDs', () => {
  it('brands valid IDs and wraps them as {value} on the wire', () => {
    const task = TaskId('task-1');
    expect(toWireId(task)).toEqual({ value: 'task-1' });
    expect(fromWireId({ value: '20261125-S3' }, AgentId)).toBe('20261125-S3');
  });

  it.each(['', '.', '..', 'a/b', 'tab\there'])('rejects %j', (bad) => {
    expect(() => TaskId(bad)).toThrow(InvalidIdError);
  });
});
