import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEST_API_KEY, TEST_JWT_SECRET } from './tokens.mjs';

export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../..');
/** The production build, run exactly as operators run it. */
export const API_MAIN = resolve(WORKSPACE_ROOT, 'dist/apps/api/main.js');
/** The browser origin harness-started APIs accept (the demo's dev server). */
export const TEST_ORIGIN = 'http://localhost:5173';

/** Children still running when this process exits are killed, even after a crash. */
export const runningChildren = new Set();
process.once('exit', () => {
  for (const child of runningChildren) child.kill('SIGKILL');
});

/** The environment every harness-started API gets unless the caller overrides it. */
export function defaultApiEnv() {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    API_KEY: TEST_API_KEY,
    DATABASE_URL: 'memory://',
    CORS_ORIGIN: TEST_ORIGIN,
    LOG_LEVEL: 'log',
    DEMO_AUTH: 'true',
    // Tests run many processes on one shared machine, where a busy machine makes a test's
    // API look saturated: the utilization signal of load shedding stays off unless a test
    // turns it on (the unit tests and the benchmark exercise it).
    PUBLISH_MAX_EVENT_LOOP_UTILIZATION: '0',
  };
}

const LISTENING = 'Herald listening';

/**
 * Starts a server as a child process and resolves once it listens: when it logs
 * "Herald listening" (which also names the port it picked for `port: 0`) or, on a fixed
 * port, as soon as GET /api/health answers at all (servers that log less, or not Herald).
 */
export async function startApi(options = {}) {
  const main = options.main ?? API_MAIN;
  const label = options.label ?? 'API';
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npx nx build api" first`);
  const fixedPort = options.port ?? 0;
  const env = { ...defaultApiEnv(), PORT: String(fixedPort) };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  env.PORT = String(fixedPort);

  const logFd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  const child = spawn(process.execPath, [...(options.execArgv ?? []), main], {
    env,
    cwd: WORKSPACE_ROOT,
    // A detached child with a log file outlives this process (e.g. a Playwright worker
    // restarting the API the global teardown stops later, by PID).
    detached: options.detached ?? false,
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  });
  if (logFd !== undefined) closeSync(logFd);
  if (options.detached) child.unref();
  else {
    runningChildren.add(child);
    child.once('exit', () => runningChildren.delete(child));
  }
  const maxLogLines = options.maxLogLines ?? 5_000;
  const logs = [];
  const exited = new Promise((res) => child.once('exit', (code) => res(code)));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;

  const port = await new Promise((resolvePort, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const tail = () => logs.slice(-40).join('\n') || `(see ${options.logFile ?? 'no log'})`;
    const timer = setTimeout(() => {
      // Never leave an orphan holding hundreds of MB behind a failed start.
      child.kill('SIGKILL');
      const hint = fixedPort === 0 ? ' (with port 0 it must log at level "log")' : '';
      settle(reject, new Error(`${label} did not start within ${timeoutMs} ms${hint}:\n${tail()}`));
    }, timeoutMs);
    const onLine = (line) => {
      if (!line || line.startsWith('Debugger listening') || line.startsWith('For help, see'))
        return;
      logs.push(line);
      if (logs.length > maxLogLines) logs.shift();
      if (line.includes(LISTENING)) {
        const match = /"port":(\d+)/.exec(line) ?? /:(\d+)\/api/.exec(line);
        if (match) settle(resolvePort, Number(match[1]));
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let buffer = '';
      stream.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    void exited.then((code) =>
      settle(reject, new Error(`${label} exited with ${code} before listening:\n${tail()}`)),
    );
    if (fixedPort !== 0) {
      void (async () => {
        while (!settled && !hasExited()) {
          if (await answers(`http://127.0.0.1:${fixedPort}/api/health`)) {
            settle(resolvePort, fixedPort);
            return;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
    }
  });

  return {
    label,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    logs,
    child,
    async stop(graceMs = 30_000) {
      if (hasExited()) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (hasExited()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
