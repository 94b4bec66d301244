import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const API_MAIN = join(ROOT, 'dist/apps/api/main.js');

/** Everything the API bundle is built from. */
const API_INPUTS = [
  'apps/api/src',
  'apps/api/webpack.config.js',
  'apps/api/tsconfig.app.json',
  'libs/ws-contracts/src',
  'libs/realtime/src',
  'tsconfig.base.json',
  'package-lock.json',
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/apps/api/main.js is missing or older than any of its sources. */
export function apiBuildIsStale() {
  if (!existsSync(API_MAIN)) return true;
  const built = statSync(API_MAIN).mtimeMs;
  return API_INPUTS.some((input) => newestMtime(join(ROOT, input)) > built);
}

/** Builds the API with Nx when its production bundle is missing or stale. */
export function ensureApiBuild({ force = false } = {}) {
  if (!force && !apiBuildIsStale()) return;
  console.error('[herald] building the API (dist/apps/api) ...');
  const result = spawnSync(
    'npx',
    ['nx', 'build', 'api', '--outputStyle=static', '--skip-nx-cache'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
    },
  );
  if (result.status !== 0) {
    console.error('[herald] the API build failed');
    process.exit(result.status ?? 1);
  }
}

/** Reads ./.env when present; variables already in the environment win. */
export function loadDotEnv() {
  const file = join(process.cwd(), '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}
