// Lint for the whole workspace. Layering (DESIGN.md section 2) is enforced by
// @nx/enforce-module-boundaries: each project carries a `layer:<name>` tag in
// its package.json, and a layer may import only the layers listed for it here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const layers = {
  'layer:testkit': [],
  'layer:libprocess': [],
  'layer:protocol': [],
  'layer:allocator': ['layer:protocol', 'layer:libprocess'],
  'layer:containerizer': ['layer:protocol'],
  'layer:zk-election': ['layer:protocol'],
  'layer:client': ['layer:protocol', 'layer:zk-election'],
  'layer:cli': ['layer:protocol'],
  'layer:master': ['layer:libprocess', 'layer:protocol', 'layer:allocator', 'layer:containerizer', 'layer:zk-election', 'layer:client', 'layer:cli'],
  'layer:agent': ['layer:libprocess', 'layer:protocol', 'layer:allocator', 'layer:containerizer', 'layer:zk-election', 'layer:client', 'layer:cli'],
  'layer:app': ['layer:libprocess', 'layer:protocol', 'layer:allocator', 'layer:containerizer', 'layer:zk-election', 'layer:client', 'layer:cli', 'layer:master', 'layer:agent'],
  'layer:tool': ['layer:libprocess', 'layer:protocol', 'layer:allocator', 'layer:containerizer', 'layer:zk-election', 'layer:client', 'layer:cli', 'layer:master', 'layer:agent'],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/test-output/**', '.nx/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: Object.entries(layers).map(([sourceTag, onlyDependOnLibsWithTags]) => ({
            sourceTag,
            onlyDependOnLibsWithTags: [...onlyDependOnLibsWithTags, 'layer:testkit'],
          })),
        },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // Tests poke at untyped wire data on purpose; the rule below is relaxed for them.
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
