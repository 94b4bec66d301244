import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

export default defineConfig({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/libs/realtime-react',
  resolve: { tsconfigPaths: true },
  plugins: [react()],
  test: {
    name: 'realtime-react',
    watch: false,
    globals: true,
    environment: 'jsdom',
    include: ['src/**/*.spec.{ts,tsx}'],
    reporters: reportersFor('realtime-react'),
  },
});
