import { defineConfig } from 'vitest/config';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/ws-contracts',
  resolve: { tsconfigPaths: true },
  test: {
    name: 'ws-contracts',
    watch: false,
    globals: true,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: reportersFor('ws-contracts'),
  },
});
