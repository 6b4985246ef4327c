import { describe, expect, it } from 'vitest';
import { AgentId, ContainerId, ExecutorId, FrameworkId, fromWireId, InvalidIdError, OfferId, TaskId, toWireId } from './ids.js';

describe('IDs', () => {
  it('brands valid IDs and wraps them as {value} on the wire', () => {
    const task = TaskId('task-1');
    expect(toWireId(task)).toEqual({ value: 'task-1' });
    expect(fromWireId({ value: '20261125-S3' }, AgentId)).toBe('20261125-S3');
  });

  it.each(['', '.', '..', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(256)])('rejects %j', (bad) => {
    expect(() => TaskId(bad)).toThrow(InvalidIdError);
    expect(FrameworkId.is(bad)).toBe(false);
  });

  it('guards and parses without throwing, naming the kind and the reason', () => {
    const maybe: unknown = '0f6c-O4';
    expect(OfferId.is(maybe)).toBe(true);
    expect(ExecutorId.is(42)).toBe(false);
    expect(ContainerId.parse('c/1')).toEqual({ ok: false, error: `Invalid container ID "c/1": "c/1" contains a control character, '/' or '\\'` });
    expect(FrameworkId.parse('')).toEqual({ ok: false, error: 'Invalid framework ID "": an ID cannot be empty' });
    expect(FrameworkId.parse('0f6c-0000')).toEqual({ ok: true, value: '0f6c-0000' });
    expect(() => AgentId('a/b')).toThrow(`Invalid agent ID "a/b"`);
  });
});
