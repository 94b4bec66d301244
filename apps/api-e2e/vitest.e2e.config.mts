import { defineConfig } from 'vitest/config';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

/**
 * End-to-end tests of the built API (dist/apps/api/main.js) over real HTTP and real
 * Socket.IO clients. Each file starts its own API process(es) once; files run two at a
 * time because every API process holds its own embedded database (~300-700 MB).
 */
export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/api-e2e',
  resolve: { tsconfigPaths: true },
  test: {
    name: 'api-e2e',
    watch: false,
    globals: true,
    environment: 'node',
    include: ['src/**/*.e2e.spec.ts'],
    globalSetup: ['src/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: reportersFor('api-e2e'),
  },
});
