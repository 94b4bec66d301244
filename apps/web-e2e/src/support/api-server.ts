/**
 * The Herald API under test, as a real process the tests can stop and start again: the
 * production build (`dist/apps/api/main.js`) on a fixed port, with PGlite on disk in a
 * temp DATA_DIR so the data survives a restart. Its PID lives in a state file, so the
 * global setup, the test workers and the global teardown all control the same process.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = process.env['HERALD_ROOT'] ?? process.cwd();
export const API_PORT = Number(process.env['E2E_API_PORT'] ?? 3310);
export const WEB_PORT = Number(process.env['E2E_WEB_PORT'] ?? 4310);
export const API_URL = `http://127.0.0.1:${API_PORT}`;

const STATE_DIR = resolve(ROOT, 'tmp/web-e2e');
const STATE_FILE = resolve(STATE_DIR, 'api-state.json');
export const API_LOG = resolve(STATE_DIR, 'api.log');

/**
 * The shared test harness (tools/testing), loaded on use: Playwright compiles this project's
 * static imports to CommonJS, which cannot load the harness's ES modules; import() can.
 */
export const harness = () => import('../../../../tools/testing/index.mjs');

interface ApiState {
  dataDir: string;
  pid: number | null;
}

export function readState(): ApiState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as ApiState;
}

export function writeState(state: ApiState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state));
}

async function healthy(): Promise<boolean> {
  try {
    const response = await fetch(`${API_URL}/api/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the API (through the shared harness) and resolves once it listens. */
export async function startApi(timeoutMs = 60_000): Promise<void> {
  const state = readState();
  if (await healthy()) throw new Error(`something already answers on ${API_URL}; stop it first`);
  try {
    const api = await (
      await harness()
    ).startApi({
      port: API_PORT,
      // Detached with its own log, so it outlives the worker that restarted it; the global
      // teardown stops it by PID.
      detached: true,
      logFile: API_LOG,
      startTimeoutMs: timeoutMs,
      env: {
        // PGlite on disk in DATA_DIR, so the data survives a restart.
        DATABASE_URL: undefined,
        DATA_DIR: state.dataDir,
        CORS_ORIGIN: `http://localhost:${WEB_PORT}`,
        LOG_LEVEL: 'warn',
        // Escalations go to the API's own demo webhook inbox, as `npm start` wires it when
        // no channel is configured (any whsec_ secret: the inbox verifies with the same one).
        ESCALATION_WEBHOOK_URL: `${API_URL}/api/demo/webhook-inbox`,
        WEBHOOK_SECRET: `whsec_${Buffer.from('herald-web-e2e-webhook-secret-32b').toString('base64')}`,
      },
    });
    writeState({ ...state, pid: api.pid ?? null });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n(${API_LOG}):\n${logTail()}`);
  }
}

function logTail(lines = 15): string {
  try {
    return readFileSync(API_LOG, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM (a graceful shutdown, as in a deploy) and wait until the process is gone. */
export async function stopApi(timeoutMs = 20_000): Promise<void> {
  const state = readState();
  if (!state.pid || !alive(state.pid)) return;
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(state.pid)) {
    if (Date.now() > deadline) {
      process.kill(state.pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  writeState({ ...state, pid: null });
}
