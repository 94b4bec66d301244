import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { reportersFor } from '../../tools/vitest/reporters.mjs';

/**
 * The demo talks to the API through this server's proxy, so the browser stays on one
 * origin. HERALD_API_URL picks the API (default: the one `npm start` runs on :3000).
 */
const apiTarget = process.env['HERALD_API_URL'] ?? 'http://localhost:3000';
const proxy = {
  '/api': { target: apiTarget, changeOrigin: false },
  '/socket.io': { target: apiTarget, ws: true, changeOrigin: false },
};

export default defineConfig(() => ({
  root: import.meta.dirname,
  cacheDir: '../../node_modules/.vite/apps/web',
  server: { port: 5173, host: 'localhost', strictPort: true, proxy },
  preview: {
    port: Number(process.env['WEB_PORT'] ?? 4300),
    host: 'localhost',
    strictPort: true,
    proxy,
  },
  resolve: { tsconfigPaths: true },
  plugins: [react()],
  build: { outDir: '../../dist/apps/web', emptyOutDir: true, reportCompressedSize: false },
  test: {
    name: 'web',
    watch: false,
    globals: true,
    environment: 'jsdom',
    include: ['src/**/*.{test,spec}.{ts,tsx}'],
    reporters: reportersFor('web'),
  },
}));
