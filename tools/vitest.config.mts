import { defineConfig } from 'vitest/config';
import { reportersFor } from './vitest/reporters.mjs';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../node_modules/.vite/tools',
  test: {
    name: 'tools',
    watch: false,
    globals: true,
    environment: 'node',
    include: ['**/*.spec.mjs', '**/*.spec.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    reporters: reportersFor('tools'),
  },
});
