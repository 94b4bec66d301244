import nx from '@nx/eslint-plugin';
import playwright from 'eslint-plugin-playwright';

/**
 * Dependency direction: the contract imports nothing of ours; server code and
 * client code each import the contract and their own side only. Apps sit on top.
 */
const depConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server'] },
  { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared', 'scope:client'] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/tmp',
      '**/coverage',
      '**/node_modules',
      '**/vite.config.*.timestamp*',
      '**/vitest.config.*.timestamp*',
      '**/test-results',
      '**/playwright-report',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx', '**/*.mts', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [
            '^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$',
            // The shared test harness (plain ESM for the node tools, so no library alias):
            // for test code of any project, never for production code.
            '^(\\.\\./)+tools/testing/index\\.mjs$',
          ],
          depConstraints,
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The browser suite's own rules, so that linting from the root judges it as its project does.
    ...playwright.configs['flat/recommended'],
    files: ['apps/web-e2e/**/*.ts'],
  },
  {
    // Build and test configs share helpers from tools/; they are not part of any library.
    files: ['**/vite.config.mts', '**/vitest*.config.mts', '**/playwright.config.mts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
