import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace. Workspace packages are resolved to their
// TypeScript sources through the `@ts-mesos/source` export condition, so tests never
// need a build first.
const conditions = ['@ts-mesos/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@ts-mesos/source'] } },
  test: {
    include: ['{packages,apps,tools,tests}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './tools/ci/summary-reporter.ts'],
  },
});
