import { describe, expect, it } from 'vitest';
import { isRoleWithin, roleError, validRole } from './role.js';

describe('roles', () => {
  it.each(['*', 'ops', 'ops/web', 'a.b', 'a-b', 'a*b'])('accepts %j', (role) => {
    expect(roleError(role)).toBeUndefined();
  });

  it.each([
    ['', 'a role cannot be empty'],
    ['/ops', "role '/ops' cannot start with a slash"],
    ['ops/', "role 'ops/' cannot end with a slash"],
    ['a//b', "role 'a//b' cannot contain two adjacent slashes"],
    ['a/../b', "role 'a/../b' cannot include '..' as a component"],
    ['a/*', "role 'a/*' cannot include '*' as a component"],
    ['-a', "role component '-a' cannot start with a dash"],
    ['a b', "role component 'a b' cannot contain whitespace"],
  ])('rejects %j', (role, why) => {
    expect(roleError(role)).toBe(why);
    expect(validRole(role)).toBe(false);
  });

  it('knows the role tree: a/b is within a, ab is not', () => {
    expect(isRoleWithin('a', 'a')).toBe(true);
    expect(isRoleWithin('a/b', 'a')).toBe(true);
    expect(isRoleWithin('a/b/c', 'a')).toBe(true);
    expect(isRoleWithin('ab', 'a')).toBe(false);
    expect(isRoleWithin('a', 'a/b')).toBe(false);
  });
});
