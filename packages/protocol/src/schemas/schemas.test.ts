import { describe, expect, it } from 'vitest';
import { decodeJson } from '../decoder.js';
import { decodeOperatorCall, decodeSchedulerCall } from './api-decoders.js';
import { internalDecoder, isCompatibleAgent, messageName } from './internal.js';
import { isTerminalState } from './task-state.js';

describe('decoders', () => {
  it('accept a valid SUBSCRIBE call and type it', () => {
    const decoded = decodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'test' } } });
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.value.subscribe?.framework_info.name).toBe('test');
  });

  it('name the failing path for wrong types', () => {
    expect(decodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 5 } } })).toEqual({
      ok: false,
      error: '/subscribe/framework_info/name: Expected string',
    });
    expect(decodeSchedulerCall({ type: 'LAUNCH_ROCKETS' })).toMatchObject({ ok: false, error: expect.stringMatching(/^\/type: /) });
    expect(decodeOperatorCall({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'a', weight: 0 }] } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^\/update_weights\/weight_infos\/0\/weight: /),
    });
    expect(decodeSchedulerCall('nope')).toMatchObject({ ok: false, error: expect.stringMatching(/^\/: /) });
  });

  it('report malformed JSON', () => {
    expect(decodeJson(decodeSchedulerCall, '{"type": ')).toMatchObject({ ok: false, error: expect.stringMatching(/^Malformed JSON: /) });
  });

  it('check internal messages, named with the major protocol version', () => {
    expect(messageName('RegisterAgent')).toBe('ts-mesos.v1.RegisterAgent');
    const decode = internalDecoder('KillTask');
    expect(decode({ framework_id: { value: 'f' }, task_id: { value: 't' } }).ok).toBe(true);
    expect(decode({ framework_id: { value: 'f' }, task_id: { value: '' } })).toMatchObject({ ok: false, error: expect.stringMatching(/^\/task_id\/value: /) });
  });
});

describe('protocol compatibility', () => {
  it('accepts agents of the same major at the same or previous minor', () => {
    expect(isCompatibleAgent('1.0', '1.0')).toBe(true);
    expect(isCompatibleAgent('1.2', '1.3')).toBe(true);
    expect(isCompatibleAgent('1.1', '1.3')).toBe(false);
    expect(isCompatibleAgent('1.4', '1.3')).toBe(false);
    expect(isCompatibleAgent('2.3', '1.3')).toBe(false);
    expect(isCompatibleAgent('one', '1.3')).toBe(false);
  });
});

describe('task states', () => {
  it('knows which states are terminal', () => {
    expect(isTerminalState('TASK_FINISHED')).toBe(true);
    expect(isTerminalState('TASK_RUNNING')).toBe(false);
    expect(isTerminalState('TASK_UNREACHABLE')).toBe(false);
  });
});
