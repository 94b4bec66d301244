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
    // Building the project graph takes seconds, more on a busy machine.
    hookTimeout: 180_000,
    reporters: reportersFor('tools'),
  },
});
