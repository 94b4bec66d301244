import { defineConfig } from 'vitest/config';
import { nestSwcPlugin } from '../../tools/vitest/nest.mjs';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/api',
  resolve: { tsconfigPaths: true },
  plugins: [nestSwcPlugin()],
  test: {
    name: 'api',
    watch: false,
    globals: true,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: reportersFor('api'),
  },
});
