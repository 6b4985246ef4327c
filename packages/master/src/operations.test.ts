import { describe, expect, it } from 'vitest';
import { Resources } from '@ts-mesos/protocol';
import { conversion } from './operations.js';

const json = (value: unknown): Resources => {
  const parsed = Resources.fromJson(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const dynamic = (role: string, principal?: string) => [{ type: 'DYNAMIC', role, ...(principal === undefined ? {} : { principal }) }];
const cpus = (value: number, reservations?: unknown[]) => ({ name: 'cpus', type: 'SCALAR', scalar: { value }, ...(reservations === undefined ? {} : { reservations }) });
const disk = (value: number, reservations: unknown[] | undefined, id?: string, path = 'data') => ({
  name: 'disk',
  type: 'SCALAR',
  scalar: { value },
  ...(reservations === undefined ? {} : { reservations }),
  ...(id === undefined ? {} : { disk: { persistence: { id }, volume: { container_path: path, mode: 'RW' } } }),
});
const actor = { role: 'ops', principal: 'p' };

describe('operation conversions', () => {
  it('RESERVE consumes the resources one level less reserved, UNRESERVE the inverse', () => {
    const reserve = conversion('RESERVE', json([cpus(1, dynamic('ops', 'p'))]), actor);
    expect(reserve.ok && reserve.value.consumed.equals(json([cpus(1)]))).toBe(true);
    expect(reserve.ok && reserve.value.converted.equals(json([cpus(1, dynamic('ops', 'p'))]))).toBe(true);
    const unreserve = conversion('UNRESERVE', json([cpus(1, dynamic('ops', 'p'))]), actor);
    expect(unreserve.ok && unreserve.value.converted.equals(json([cpus(1)]))).toBe(true);
  });

  it('refuses reservations for another role or principal, static ones, and none at all', () => {
    expect(conversion('RESERVE', json([cpus(1, dynamic('dev'))]), actor)).toMatchObject({ ok: false, error: expect.stringContaining("reserved to role 'dev'") });
    expect(conversion('RESERVE', json([cpus(1, dynamic('ops', 'mallory'))]), actor)).toMatchObject({ ok: false, error: expect.stringContaining("principal 'mallory'") });
    expect(conversion('RESERVE', json([cpus(1)]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('no reservation') });
    expect(conversion('UNRESERVE', json([cpus(1, [{ type: 'STATIC', role: 'ops' }])]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('statically reserved') });
    expect(conversion('RESERVE', json([]), actor)).toMatchObject({ ok: false });
    // An operator (no role of its own) may reserve for any role.
    expect(conversion('RESERVE', json([cpus(1, dynamic('dev'))]), { role: undefined, principal: undefined }).ok).toBe(true);
  });

  it('refuses a shared volume as not supported (not as disk that is not free)', () => {
    const shared = { ...disk(10, dynamic('ops', 'p'), 'v1'), shared: {} };
    expect(conversion('CREATE', json([shared]), actor)).toMatchObject({ ok: false, error: "volume 'v1' is shared: shared persistent volumes are not supported" });
  });

  it('CREATE turns reserved disk into a volume and DESTROY turns it back', () => {
    const volume = json([disk(64, dynamic('ops'), 'v1')]);
    const create = conversion('CREATE', volume, actor);
    expect(create.ok && create.value.consumed.equals(json([disk(64, dynamic('ops'))]))).toBe(true);
    expect(create.ok && create.value.converted.equals(volume)).toBe(true);
    const destroy = conversion('DESTROY', volume, actor);
    expect(destroy.ok && destroy.value.converted.equals(json([disk(64, dynamic('ops'))]))).toBe(true);
  });

  it('refuses volumes on unreserved disk, without an id, or with a path leaving the sandbox; and UNRESERVE of a volume', () => {
    expect(conversion('CREATE', json([disk(64, undefined, 'v1')]), { role: undefined, principal: undefined })).toMatchObject({ ok: false, error: expect.stringContaining('reserved disk') });
    expect(conversion('CREATE', json([disk(64, dynamic('ops'), 'v1', '../../etc')]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('stay in the sandbox') });
    expect(conversion('CREATE', json([disk(64, dynamic('ops'), 'v1', '/abs')]), actor)).toMatchObject({ ok: false });
    expect(conversion('CREATE', json([cpus(1, dynamic('ops'))]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('not disk') });
    expect(conversion('UNRESERVE', json([disk(64, dynamic('ops'), 'v1')]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('DESTROY it first') });
  });

  it("refuses to CREATE a volume whose ID could name another directory (Mesos's validateID), but DESTROYs one", () => {
    for (const id of ['..', '.', 'a/b', '../../x', 'a\\b', 'tab\there', 'x'.repeat(256)]) {
      expect(conversion('CREATE', json([disk(64, dynamic('ops'), id)]), actor)).toMatchObject({ ok: false, error: expect.stringContaining('Invalid persistence ID') });
    }
    expect(conversion('CREATE', json([disk(64, dynamic('ops'), 'x'.repeat(255))]), actor).ok).toBe(true);
    expect(conversion('DESTROY', json([disk(64, dynamic('ops'), '..')]), actor).ok).toBe(true);
  });
});
