import { defineConfig } from 'vitest/config';
import { nestSwcPlugin } from '../../tools/vitest/nest.mjs';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/realtime',
  resolve: { tsconfigPaths: true },
  plugins: [nestSwcPlugin()],
  test: {
    name: 'realtime',
    watch: false,
    globals: true,
    environment: 'node',
    include: ['src/**/*.spec.ts'],
    reporters: reportersFor('realtime'),
  },
});
