import { describe, expect, it } from 'vitest';
import { decodeJson } from '../decoder.js';
import {
  decodeExecutorCall,
  decodeExecutorEvent,
  decodeOperatorCall,
  decodeOperatorEvent,
  decodeOperatorResponse,
  decodeSchedulerCall,
  decodeSchedulerEvent,
} from './api-decoders.js';
import { internalDecoder, internalDecoders, internalMessages, isCompatibleAgent, messageName } from './internal.js';
import { isTerminalState } from './task-state.js';

const subscribe = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'test', roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] } } };

describe('v1 API decoders', () => {
  it('accept a valid SUBSCRIBE call and type it, keeping fields they do not know', () => {
    const decoded = decodeSchedulerCall({ ...subscribe, future_field: 1 });
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.value.subscribe?.framework_info.name).toBe('test');
  });

  it('name the failing path for wrong types', () => {
    expect(decodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 5 } } })).toEqual({
      ok: false,
      error: '/subscribe/framework_info/name: expected string',
    });
    expect(decodeSchedulerCall({ type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } })).toEqual({
      ok: false,
      error: '/subscribe/framework_info/user: expected required property',
    });
    expect(decodeOperatorCall({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'a', weight: 0 }] } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^\/update_weights\/weight_infos\/0\/weight: expected number to be greater than 0/),
    });
    expect(decodeSchedulerCall('nope')).toMatchObject({ ok: false, error: expect.stringMatching(/^\/: expected object/) });
  });

  it('refuse bytes that are not base64, and take those that are, padded or not', () => {
    const message = (data: string) => decodeSchedulerCall({ type: 'MESSAGE', framework_id: { value: 'f' }, message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data } });
    expect(message('not base64!')).toMatchObject({ ok: false, error: expect.stringMatching(/^\/message\/data: expected string to match/) });
    expect(message('aGVsbG8=').ok).toBe(true);
    expect(message('aGVsbG8').ok).toBe(true);
    expect(message('').ok).toBe(true);
    expect(decodeExecutorCall({ type: 'MESSAGE', framework_id: { value: 'f' }, executor_id: { value: 'e' }, message: { data: 'a=b' } })).toMatchObject({ ok: false });
  });

  it('spell out enum values in errors', () => {
    expect(decodeExecutorCall({ type: 'LAUNCH', executor_id: { value: 'e' }, framework_id: { value: 'f' } })).toEqual({
      ok: false,
      error: `/type: expected one of 'SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT', got "LAUNCH"`,
    });
    const update = { type: 'UPDATE', framework_id: { value: 'f' }, update: { status: { task_id: { value: 't' }, state: 'TASK_SLEEPING' } } };
    expect(decodeSchedulerEvent(update)).toMatchObject({ ok: false, error: expect.stringMatching(/^\/update\/status\/state: expected one of 'TASK_STAGING', .*\(14 in all\), got "TASK_SLEEPING"$/) });
  });

  it('require the payload a call type names, and framework_id on every scheduler call but SUBSCRIBE', () => {
    expect(decodeSchedulerCall({ type: 'SUBSCRIBE' })).toEqual({ ok: false, error: "/subscribe: expected for type 'SUBSCRIBE'" });
    expect(decodeSchedulerCall({ type: 'DECLINE', decline: { offer_ids: [{ value: 'o1' }] } })).toEqual({
      ok: false,
      error: "/framework_id: expected for type 'DECLINE'",
    });
    expect(decodeSchedulerCall({ type: 'DECLINE', framework_id: { value: 'f' }, decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 5 } } }).ok).toBe(true);
    expect(decodeSchedulerCall({ type: 'REVIVE', framework_id: { value: 'f' } }).ok).toBe(true);
    expect(decodeOperatorCall({ type: 'TEARDOWN' })).toEqual({ ok: false, error: "/teardown: expected for type 'TEARDOWN'" });
    expect(decodeOperatorCall({ type: 'GET_HEALTH' }).ok).toBe(true);
  });

  it('decode events and responses on the client side', () => {
    expect(decodeSchedulerEvent({ type: 'HEARTBEAT' }).ok).toBe(true);
    expect(decodeSchedulerEvent({ type: 'ERROR', error: { message: 'Framework has been removed' } }).ok).toBe(true);
    expect(decodeSchedulerEvent({ type: 'OFFERS' })).toEqual({ ok: false, error: "/offers: expected for type 'OFFERS'" });
    expect(decodeExecutorEvent({ type: 'KILL', kill: { task_id: { value: 't' } } }).ok).toBe(true);
    expect(decodeOperatorResponse({ type: 'GET_HEALTH', get_health: { healthy: true } }).ok).toBe(true);
    expect(decodeOperatorResponse({ type: 'GET_HEALTH', get_health: { healthy: 'yes' } })).toEqual({ ok: false, error: '/get_health/healthy: expected boolean' });
    expect(decodeOperatorEvent({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: 'a-S1' } } }).ok).toBe(true);
  });

  it('report malformed JSON', () => {
    expect(decodeJson(decodeSchedulerCall, '{"type": ')).toMatchObject({ ok: false, error: expect.stringMatching(/^Malformed JSON: /) });
  });
});

describe('internal messages', () => {
  it('are named with the major protocol version, one decoder each', () => {
    expect(messageName('RegisterAgent')).toBe('ts-mesos.v1.RegisterAgent');
    expect([...internalMessages.keys()].every((name) => name.startsWith('ts-mesos.v1.'))).toBe(true);
    expect(internalMessages.size).toBe(Object.keys(internalDecoders).length);
    expect(internalMessages.get('ts-mesos.v1.KillTask')).toBe(internalDecoders.KillTask);
  });

  it('decode to typed values, or name the failing path', () => {
    const decode = internalDecoder('KillTask');
    const decoded = decode({ framework_id: { value: 'f' }, task_id: { value: 't' } });
    expect(decoded.ok && decoded.value.task_id.value).toBe('t');
    expect(decode({ framework_id: { value: 'f' }, task_id: { value: '' } })).toEqual({ ok: false, error: '/task_id/value: expected string length greater or equal to 1' });
    expect(internalDecoders.RegisterAgent({ version: 'one', agent_info: { hostname: 'h' } })).toMatchObject({ ok: false, error: expect.stringMatching(/^\/version: /) });
    expect(internalDecoders.Ping({ connected: 'yes' })).toEqual({ ok: false, error: '/connected: expected boolean' });
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
