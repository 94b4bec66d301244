// Starting, measuring and stopping the servers under test, each as its own process on
// loopback: Herald's production build (dist/apps/api/main.js) or the baseline.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import WebSocket from 'ws';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const API_MAIN = resolve(ROOT, 'dist/apps/api/main.js');
export const BASELINE_MAIN = resolve(ROOT, 'tools/bench/baseline-server.mjs');
export const BENCH_JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
export const BENCH_API_KEY = 'bench-service-api-key-0123456789';

/** Every process this module started and has not seen exit, for the emergency exit path. */
export const liveProcesses = new Set();

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Env that lets a load test through Herald's per-IP limits (every client is 127.0.0.1). */
export function heraldEnv(extra = {}) {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET: BENCH_JWT_SECRET,
    API_KEY: BENCH_API_KEY,
    DEMO_AUTH: 'false',
    LOG_LEVEL: 'warn',
    HANDSHAKE_RATE_LIMIT_BURST: '1000000',
    HANDSHAKE_RATE_LIMIT_PER_SECOND: '1000000',
    HTTP_RATE_LIMIT_PER_MINUTE: '10000000',
    ...extra,
  };
}

/**
 * Starts `main` as a child process (node, with an inspector on loopback used only to read
 * memory after a forced GC) and waits for GET /api/health to answer 200.
 */
export async function startServer({ label, main, env, port, startTimeoutMs = 90_000 }) {
  const inspectPort = await freePort();
  const execArgv = [`--inspect=127.0.0.1:${inspectPort}`];
  const child = spawn(process.execPath, [...execArgv, main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveProcesses.add(child);
  const logs = [];
  const keep = (chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line || line.startsWith('Debugger listening') || line.startsWith('For help, see'))
        continue;
      logs.push(line);
      if (logs.length > 200) logs.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((r) =>
    child.once('exit', (code, signal) => {
      liveProcesses.delete(child);
      r(code ?? signal);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  let health;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited before it was healthy:\n${logs.slice(-20).join('\n')}`);
    }
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) {
        health = await response.json().catch(() => ({}));
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${label} was not healthy within ${startTimeoutMs} ms:\n${logs.slice(-20).join('\n')}`,
      );
    }
    await sleep(150);
  }
  return {
    label,
    url,
    port,
    pid: child.pid,
    inspectPort,
    health,
    logs,
    child,
    /** SIGTERM (graceful), SIGKILL after `graceMs`. */
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** VmRSS of a process from /proc, in bytes. */
export function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Total CPU time (user+system) a process has used so far, in ms. */
export function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** A Chrome DevTools Protocol session on a server's inspector (loopback only). */
export async function inspectorSession(server) {
  const targets = await (await fetch(`http://127.0.0.1:${server.inspectPort}/json/list`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise((resolveOpen, reject) => {
    ws.once('open', resolveOpen);
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolveCall) => {
        const id = ++nextId;
        pending.set(id, resolveCall);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/**
 * Forces a full GC in the server through its inspector, then reads process.memoryUsage()
 * there and VmRSS from /proc: the same method for Herald and the baseline.
 */
export async function measureMemory(server) {
  const session = await inspectorSession(server);
  try {
    await session.call('HeapProfiler.collectGarbage');
    await session.call('HeapProfiler.collectGarbage');
    const reply = await session.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const usage = JSON.parse(reply.result.result.value);
    return {
      rss: rssOf(server.pid) ?? usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
    };
  } finally {
    session.close();
  }
}

/**
 * Runs `fn` while the server's CPU profiler records (1 ms sampling); when `file` is set the
 * profile is written there (.cpuprofile, open in Chrome DevTools or profile-summary.mjs).
 */
export async function profiled(server, file, fn) {
  if (!file) return fn();
  const session = await inspectorSession(server);
  await session.call('Profiler.enable');
  await session.call('Profiler.setSamplingInterval', { interval: 1000 });
  await session.call('Profiler.start');
  try {
    return await fn();
  } finally {
    const reply = await session.call('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(reply.result.profile));
    session.close();
  }
}

export { sleep };
