import { describe, expect, it } from 'vitest';
import { ago, bytesFromMb, cores, fileSize, stateLabel } from '../src/format.js';
import { applyEvent, fromGetState, RecordReader, tasksByState, usage } from '../src/store.js';

const cpus = (value: number) => ({ name: 'cpus', type: 'SCALAR', scalar: { value } });
const mem = (value: number) => ({ name: 'mem', type: 'SCALAR', scalar: { value } });

const snapshot = {
  get_agents: {
    agents: [
      {
        agent_info: { id: { value: 'S0' }, hostname: 'a0', attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }] },
        pid: 'slave(1)@10.0.0.1:5051',
        active: true,
        registered_time: { nanoseconds: 1_700_000_000e9 },
        total_resources: [cpus(8), mem(16_384)],
      },
    ],
  },
  get_frameworks: { frameworks: [{ framework_info: { id: { value: 'F0' }, name: 'web', user: 'u', roles: ['prod'] }, active: true, connected: true, offers: [{}] }], completed_frameworks: [] },
  get_tasks: {
    tasks: [{ task_id: { value: 't1' }, name: 't1', framework_id: { value: 'F0' }, agent_id: { value: 'S0' }, state: 'TASK_RUNNING', resources: [cpus(2), mem(1024)], statuses: [{ state: 'TASK_RUNNING', timestamp: 100 }] }],
    completed_tasks: [{ task_id: { value: 't0' }, framework_id: { value: 'F0' }, agent_id: { value: 'S0' }, state: 'TASK_FINISHED', resources: [cpus(1)] }],
  },
};

describe('the UI store', () => {
  it('builds the cluster from GET_STATE: agents with their URL and attributes, frameworks, tasks, and usage from live tasks only', () => {
    const state = fromGetState(snapshot);
    expect(state.agents.get('S0')).toMatchObject({ hostname: 'a0', url: 'http://10.0.0.1:5051', attributes: { rack: 'r1' }, total: { cpus: 8, mem: 16_384 } });
    expect(state.frameworks.get('F0')).toMatchObject({ name: 'web', roles: ['prod'], offers: 1, connected: true });
    const { total, capacity, byAgent } = usage(state);
    expect(total.cpus).toBe(2);
    expect(capacity.mem).toBe(16_384);
    expect(byAgent.get('S0')?.mem).toBe(1024);
    expect(Object.fromEntries(tasksByState(state))).toEqual({ TASK_RUNNING: 1, TASK_FINISHED: 1 });
  });

  it('applies Operator API events and ignores what it cannot place', () => {
    const state = fromGetState(snapshot);
    expect(applyEvent(state, { type: 'TASK_ADDED', task_added: { task: { task_id: { value: 't2' }, framework_id: { value: 'F0' }, agent_id: { value: 'S0' }, state: 'TASK_STAGING', resources: [cpus(1)] } } })).toBe(true);
    expect(applyEvent(state, { type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'F0' }, status: { task_id: { value: 't2' }, state: 'TASK_RUNNING', timestamp: 200 }, state: 'TASK_RUNNING' } })).toBe(true);
    expect(state.tasks.get('F0/t2')).toMatchObject({ state: 'TASK_RUNNING', startedAt: 200, updatedAt: 200 });
    expect(applyEvent(state, { type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'F0' }, status: { task_id: { value: 'nope' } }, state: 'TASK_FAILED' } })).toBe(false);
    expect(applyEvent(state, { type: 'HEARTBEAT' })).toBe(false);
    expect(applyEvent(state, { type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: { id: { value: 'F0' } } } })).toBe(true);
    expect(state.frameworks.get('F0')).toMatchObject({ completed: true, connected: false });
    expect(applyEvent(state, { type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: 'S0' } } })).toBe(true);
    expect(state.agents.size).toBe(0);
    expect(state.version).toBe(4);
  });

  it('splits RecordIO records across arbitrary chunk boundaries', () => {
    const records = ['{"type":"SUBSCRIBED"}', '{"a":"é"}', '{}'];
    const bytes = new TextEncoder().encode(records.map((r) => `${new TextEncoder().encode(r).length}\n${r}`).join(''));
    const reader = new RecordReader();
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...reader.push(bytes.subarray(i, i + 3)));
    expect(out).toEqual(records);
    expect(() => new RecordReader().push(new TextEncoder().encode('x\n{}'))).toThrow(/RecordIO/);
  });

  it('formats units and times for people', () => {
    expect(bytesFromMb(512)).toBe('512 MiB');
    expect(bytesFromMb(4096)).toBe('4.0 GiB');
    expect(fileSize(20)).toBe('20 B');
    expect(fileSize(2048)).toBe('2.0 KiB');
    expect(cores(1)).toBe('1 core');
    expect(cores(0.5)).toBe('0.5 cores');
    expect(ago(1000, 1000_000 + 90_000)).toBe('1 min ago');
    expect(stateLabel('TASK_FAILED')).toEqual({ text: 'failed', tone: 'bad' });
  });
});
