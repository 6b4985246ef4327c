import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRegistry } from './registry.js';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('FileRegistry', () => {
  it('keeps agents, weights and quotas across a restart, compacting the log', () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const path = join(dir, 'registry.log');
    const first = new FileRegistry(path);
    first.recover();
    first.apply({ op: 'admit', agent: { id: { value: 'a1' }, hostname: 'h1', resources: [] } });
    first.apply({ op: 'admit', agent: { id: { value: 'a1' }, hostname: 'h1', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2 } }] } });
    first.apply({ op: 'weight', role: 'ops', weight: 2 });
    first.apply({ op: 'weight', role: 'ops', weight: 3 });
    first.apply({ op: 'quota', role: 'ops', quota: { guarantees: { cpus: 1 }, limits: { cpus: 2 } } });
    first.apply({ op: 'quota', role: 'dev', quota: { guarantees: {}, limits: { mem: 64 } } });
    first.apply({ op: 'quota', role: 'dev', quota: null });
    first.apply({ op: 'unreachable', agentId: 'a2', timeMs: 5 });

    const state = new FileRegistry(path).recover();
    expect(state.admitted.get('a1')?.resources).toHaveLength(1);
    expect([...state.weights]).toEqual([['ops', 3]]);
    expect([...state.quotas]).toEqual([['ops', { guarantees: { cpus: 1 }, limits: { cpus: 2 } }]]);
    expect([...state.unreachable]).toEqual([['a2', 5]]);
    // Compacted: one line per fact that still holds.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
