/**
 * Role names and the role tree (docs/roles.md). Roles are `/`-separated paths: `eng/web` is a
 * child of `eng`. `*` stands for "no role" on unreserved resources.
 */

/** Mesos rejects these in a role path component (src/common/roles.cpp): whitespace and DEL. */
const INVALID_CHARACTERS = /[\t\n\v\f\r \x7f]/;

/** Why `role` is not a valid role name, or undefined when it is. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'a role cannot be empty';
  if (role.startsWith('/')) return `role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `role '${role}' cannot end with a slash`;
  for (const component of role.split('/')) {
    if (component === '') return `role '${role}' cannot contain two adjacent slashes`;
    if (component === '.' || component === '..' || component === '*') return `role '${role}' cannot include '${component}' as a component`;
    if (component.startsWith('-')) return `role component '${component}' cannot start with a dash`;
    if (INVALID_CHARACTERS.test(component)) return `role component '${component}' cannot contain whitespace`;
  }
  return undefined;
}

export function validRole(role: string): boolean {
  return roleError(role) === undefined;
}

/** Whether `role` is `ancestor` or lies below it in the role tree (`a/b` is within `a`, `ab` is not). */
export function isRoleWithin(role: string, ancestor: string): boolean {
  return role === ancestor || (role.length > ancestor.length && role.startsWith(ancestor) && role.charCodeAt(ancestor.length) === 0x2f);
}
