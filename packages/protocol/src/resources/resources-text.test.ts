import { describe, expect, it } from 'vitest';
import { orThrow } from '../result.js';
import { formatResources, parseResources, parseResourcesFlag } from './resources-text.js';

describe('--resources parsing errors name the offending part', () => {
  it.each([
    ['cpus:4;mem:abc', "Invalid resource 'mem:abc': 'abc' is not a number"],
    ['cpus:-1', "Invalid resource 'cpus:-1': '-1' is negative"],
    ['cpus:NaN', "Invalid resource 'cpus:NaN': 'NaN' is not a number"],
    ['cpus:99999999999999999', "Invalid resource 'cpus:99999999999999999': '99999999999999999' is too large (at most 9007199254740)"],
    ['cpus:1e300', "Invalid resource 'cpus:1e300': '1e300' is too large (at most 9007199254740)"],
    ['cpus:1e', "Invalid resource 'cpus:1e': '1e' is not a number"],
    ['ports:[32000-31000]', "Invalid resource 'ports:[32000-31000]': range '32000-31000' begins after it ends"],
    ['ports:[31000-x]', "Invalid resource 'ports:[31000-x]': '31000-x' is not a range 'begin-end'"],
    ['ports:[31000-32000', "Invalid resource 'ports:[31000-32000': '[31000-32000' is missing its closing ']'"],
    ['cpus(/ops):1', "Invalid resource 'cpus(/ops):1': '/ops' is not a valid role"],
    ['cpus', "Invalid resource 'cpus': expected 'name:value' or 'name(role):value'"],
    ['[{"name":"cpus","type":"SCALAR"}]', 'Invalid resources JSON at /0/scalar/value: expected a number'],
    ['[{"name":"cpus","type":"TEXT"}]', `Invalid resources JSON at /0/type: expected 'SCALAR', 'RANGES' or 'SET', got "TEXT"`],
    ['[{"name":"cpus"', 'Invalid resources JSON: '],
  ])('%s', (text, message) => {
    const parsed = parseResources(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(message);
  });

  it('reads numbers as Mesos does (strtod): exponents and a bare fraction', () => {
    expect(orThrow(parseResources('mem:4e3;cpus:.5;disk:1.5E+2')).toString()).toBe(orThrow(parseResources('mem:4000;cpus:0.5;disk:150')).toString());
  });

  it('applies a default role to parts without one', () => {
    expect(orThrow(parseResources('cpus:1;mem(*):2', 'ops')).reserved('ops').cpus()).toBe(1);
  });
});

describe('--resources forms', () => {
  it('reads the text form: scalars, ranges, sets, roles, repeated names summed', () => {
    const r = orThrow(parseResources(' cpus:4 ; mem:4096;ports:[31000-32000, 33000-33001];cpus(ops):2;disks:{a, b};cpus:0.5;; '));
    expect(r.unreserved().cpus()).toBe(4.5);
    expect(r.reserved('ops').cpus()).toBe(2);
    expect(r.ports()).toEqual([
      [31000, 32000],
      [33000, 33001],
    ]);
    expect(formatResources(r)).toBe('cpus:4.5;mem:4096;ports:[31000-32000,33000-33001];cpus(ops):2;disks:{a,b}');
  });

  it('writes JSON for what the text cannot say, and reads it back', () => {
    const r = orThrow(parseResources('cpus:1')).pushReservation({ type: 'DYNAMIC', role: 'ops', principal: 'alice' });
    const text = formatResources(r);
    expect(JSON.parse(text)).toEqual([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'ops', principal: 'alice' }] }]);
    expect(orThrow(parseResources(text)).equals(r)).toBe(true);
  });

  it('reads file:// through the reader it is given, in either form', () => {
    const files: Record<string, string> = { '/etc/r.txt': 'cpus:2;mem:64', '/etc/r.json': '[{"name":"mem","type":"SCALAR","scalar":{"value":8}}]' };
    const read = (path: string): string => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`);
      return text;
    };
    expect(orThrow(parseResourcesFlag('file:///etc/r.txt', read)).mem()).toBe(64);
    expect(orThrow(parseResourcesFlag('file:///etc/r.json', read)).mem()).toBe(8);
    expect(orThrow(parseResourcesFlag('cpus:3', read)).cpus()).toBe(3);
    expect(parseResourcesFlag('file:///etc/none', read)).toEqual({ ok: false, error: "Cannot read resources from '/etc/none': ENOENT: no such file '/etc/none'" });
  });
});
