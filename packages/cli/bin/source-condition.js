// A module resolution hook: resolve workspace packages to their TypeScript sources (the
// `@ts-mesos/source` export condition), as tests and `npm run bench` do with --conditions.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@ts-mesos/source'] });
}
