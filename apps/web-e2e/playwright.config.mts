import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { findChromium } from '../../tools/test/browser.mjs';

const root = resolve(import.meta.dirname, '../..');
const API_PORT = Number(process.env['E2E_API_PORT'] ?? 3310);
const WEB_PORT = Number(process.env['E2E_WEB_PORT'] ?? 4310);
const chromium = await findChromium();

export default defineConfig({
  testDir: './src',
  outputDir: resolve(root, 'dist/.playwright/web-e2e/test-output'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [
    ['list'],
    ['json', { outputFile: resolve(root, 'tmp/test-reports/web-e2e.json') }],
    ['html', { outputFolder: resolve(root, 'dist/.playwright/web-e2e/report'), open: 'never' }],
  ],
  use: {
    baseURL: `http://localhost:${WEB_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  webServer: [
    {
      command: 'node dist/apps/api/main.js',
      cwd: root,
      url: `http://127.0.0.1:${API_PORT}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        PORT: String(API_PORT),
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        DATABASE_URL: 'memory://',
        DEMO_AUTH: 'true',
        JWT_SECRET: 'web-e2e-secret-long-enough-0123456789abcdef',
        API_KEY: 'web-e2e-service-api-key-0123456789',
        CORS_ORIGIN: `http://localhost:${WEB_PORT}`,
        LOG_LEVEL: 'warn',
      },
    },
    {
      command: `npx vite preview --config apps/web/vite.config.mts`,
      cwd: root,
      url: `http://localhost:${WEB_PORT}`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { WEB_PORT: String(WEB_PORT), HERALD_API_URL: `http://127.0.0.1:${API_PORT}` },
    },
  ],
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: chromium,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
