import { defineConfig } from '@playwright/test';
import { resolve } from 'node:path';
import { findChromium } from '../../tools/test/browser.mjs';

const root = resolve(import.meta.dirname, '../..');
const API_PORT = Number(process.env['E2E_API_PORT'] ?? 3310);
const WEB_PORT = Number(process.env['E2E_WEB_PORT'] ?? 4310);
const chromium = await findChromium();
// Workers and the global setup find the workspace (and the API's state file) through this.
process.env['HERALD_ROOT'] ??= root;
process.env['E2E_API_PORT'] ??= String(API_PORT);
process.env['E2E_WEB_PORT'] ??= String(WEB_PORT);

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
    viewport: { width: 1280, height: 800 },
  },
  // The API is started by globalSetup (not as a webServer) so that tests can stop and
  // restart it: see src/support/api-server.ts.
  globalSetup: './src/support/global-setup.ts',
  globalTeardown: './src/support/global-teardown.ts',
  webServer: [
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
