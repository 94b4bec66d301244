import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../../..');
export const API_MAIN = resolve(WORKSPACE_ROOT, 'dist/apps/api/main.js');

export const TEST_JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_API_KEY = 'e2e-service-api-key-0123456789';
export const TEST_ORIGIN = 'http://localhost:5173';

/** Children still running when the test worker exits are killed, even after a crash. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ApiProcess {
  url: string;
  port: number;
  /** Every line the process wrote to stdout and stderr, for assertions and debugging. */
  logs: string[];
  child: ChildProcess;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a process that dies without saying goodbye. */
  kill(): Promise<void>;
}

export interface StartApiOptions {
  env?: Record<string, string | undefined>;
  /** Fixed port, e.g. to restart on the same address; 0 picks a free one. */
  port?: number;
  startTimeoutMs?: number;
}

/**
 * Starts the production build of the API as a child process, exactly as operators run it,
 * and resolves once it listens. Defaults: in-memory database, test secrets; logs are captured, not printed.
 */
export async function startApi(options: StartApiOptions = {}): Promise<ApiProcess> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run "nx build api" first`);
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(options.port ?? 0),
    JWT_SECRET: TEST_JWT_SECRET,
    API_KEY: TEST_API_KEY,
    DATABASE_URL: 'memory://',
    CORS_ORIGIN: TEST_ORIGIN,
    LOG_LEVEL: 'log',
    DEMO_AUTH: 'true',
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [API_MAIN], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: WORKSPACE_ROOT,
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const port = await new Promise<number>((resolvePort, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const timer = setTimeout(() => {
      // Never leave an orphan holding ~700 MB behind a failed start.
      child.kill('SIGKILL');
      reject(new Error(`API did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      logs.push(line);
      if (line.includes('Herald listening')) {
        const match = /"port":(\d+)/.exec(line) ?? /:(\d+)\/api/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      }
    };
    const collect = (stream: NodeJS.ReadableStream) => {
      let buffer = '';
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    };
    collect(child.stdout!);
    collect(child.stderr!);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with code ${code} before listening:\n${logs.join('\n')}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
