// Starting, measuring and stopping the servers under test, each as its own process on
// loopback: Herald's production build (dist/apps/api/main.js) or the baseline. Starting and
// stopping is the shared test harness's startApi (tools/testing); this file adds what only a
// benchmark needs: an inspector to read memory after a forced GC, CPU time and profiles.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import WebSocket from 'ws';
import {
  API_MAIN,
  TEST_API_KEY,
  TEST_JWT_SECRET,
  WORKSPACE_ROOT,
  createScratchDatabase,
  freePort,
  runningChildren,
  sleep,
  startApi,
} from '../../testing/index.mjs';

export { API_MAIN, freePort, sleep };
export const ROOT = WORKSPACE_ROOT;
export const BASELINE_MAIN = resolve(ROOT, 'tools/bench/baseline-server.mjs');
export const BENCH_JWT_SECRET = TEST_JWT_SECRET;
export const BENCH_API_KEY = TEST_API_KEY;

/** Every process this run started and has not seen exit, for the emergency exit path. */
export const liveProcesses = runningChildren;

/** Env that lets a load test through Herald's per-IP limits (every client is 127.0.0.1). */
export function heraldEnv(extra = {}) {
  return {
    // Embedded PGlite in DATA_DIR unless the scenario sets DATABASE_URL.
    DATABASE_URL: undefined,
    DEMO_AUTH: 'false',
    LOG_LEVEL: 'warn',
    HANDSHAKE_RATE_LIMIT_BURST: '1000000',
    HANDSHAKE_RATE_LIMIT_PER_SECOND: '1000000',
    HTTP_RATE_LIMIT_PER_MINUTE: '10000000',
    // Every benchmark socket comes from 127.0.0.1: the per-address session cap would refuse
    // all but the first 100.
    WS_MAX_SOCKETS_PER_IP: '1000000',
    // Load shedding as in production (the test harness turns this signal off).
    PUBLISH_MAX_EVENT_LOOP_UTILIZATION: '0.95',
    ...extra,
  };
}

/**
 * Starts `main` through the harness with an inspector on loopback (used only to read memory
 * after a forced GC and for CPU profiles), and any extra Node options, and resolves once GET
 * /api/health answers 200.
 */
export async function startServer({
  label,
  main,
  env,
  port,
  execArgv = [],
  maxLogLines = 200,
  startTimeoutMs = 90_000,
}) {
  const inspectPort = await freePort();
  const server = await startApi({
    label,
    main,
    env,
    port,
    startTimeoutMs,
    execArgv: [`--inspect=127.0.0.1:${inspectPort}`, ...execArgv],
    maxLogLines,
  });
  let health;
  for (const deadline = Date.now() + startTimeoutMs; ; await sleep(150)) {
    const response = await fetch(`${server.url}/api/health`).catch(() => undefined);
    if (response?.status === 200) {
      health = await response.json().catch(() => ({}));
      break;
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(
        `${label} was not healthy within ${startTimeoutMs} ms:\n${server.logs.slice(-20).join('\n')}`,
      );
    }
  }
  return { ...server, inspectPort, health };
}

/**
 * Starts one side of a measurement that sets Herald beside the baseline: the baseline
 * (`herald` false) or a Herald build with the benchmark's environment, on PGlite in a fresh
 * temporary directory or on a scratch PostgreSQL database (`database`, named after `runId`
 * and `tag`). With `traceGc`, it runs with `--trace-gc-nvp` and keeps its whole output (for
 * gc-trace.mjs). `release()` stops it and removes the directory and the database;
 * `restart()` stops it and starts the same side again on the same data (a deploy's restart,
 * whose users the database already knows), and resolves to the new server.
 */
export async function startSide({
  label,
  main,
  herald,
  database,
  runId,
  tag,
  traceGc = false,
  execArgv = [],
  ...options
}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const scratch =
    herald && database === 'postgres' ? await createScratchDatabase(runId, tag) : undefined;
  const release = async (server) => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  };
  const start = async () =>
    startServer({
      label,
      main,
      env: herald
        ? heraldEnv({ DATA_DIR: dataDir, ...(scratch ? { DATABASE_URL: scratch.url } : {}) })
        : {},
      port: await freePort(),
      execArgv: traceGc ? ['--trace-gc-nvp', ...execArgv] : execArgv,
      // Kept from the start: the first collection names the main isolate.
      ...(traceGc ? { maxLogLines: 1_000_000 } : {}),
      ...options,
    });
  let server;
  try {
    server = await start();
  } catch (error) {
    await release();
    throw error;
  }
  return {
    get server() {
      return server;
    },
    release: () => release(server),
    restart: async () => {
      await server.kill();
      server = undefined;
      server = await start();
      return server;
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

/**
 * CPU time (ms) a process has used so far on its main thread, and on all its other threads
 * together: V8's helper threads (optimizing compilers, concurrent and parallel GC) and
 * worker threads such as the embedded database's. Read from each thread's schedstat
 * (nanoseconds on the CPU), finer than `/proc/<pid>/stat`'s 10 ms ticks, which summed over a
 * handful of threads would blur a one-second storm. Threads that ended are not counted.
 * `byThread` holds each thread's reading by its id.
 */
export function threadCpuMsOf(pid) {
  let main = 0;
  let other = 0;
  const byThread = {};
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    try {
      const ms =
        Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      byThread[tid] = ms;
      if (tid === String(pid)) main += ms;
      else other += ms;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { main, other, byThread };
}

/**
 * Of the CPU two `threadCpuMsOf` readings show, the most any one thread besides the main one
 * used in between. Under a connect storm that is one of V8's helper threads, even on PGlite
 * (the embedded database's thread used less than each of them): a helper's share is the
 * collector's and the compilers' work spread over four threads.
 */
export function busiestOtherThreadMs(before, after, pid) {
  let busiest = 0;
  for (const [tid, ms] of Object.entries(after.byThread)) {
    if (tid === String(pid)) continue;
    busiest = Math.max(busiest, ms - (before.byThread[tid] ?? 0));
  }
  return busiest;
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
  const eventListeners = new Set();
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    } else if (message.method) {
      for (const listener of eventListeners) listener(message);
    }
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolveCall) => {
        const id = ++nextId;
        pending.set(id, resolveCall);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    /** Every protocol event (`{ method, params }`) the session receives from now on. */
    onEvent: (listener) => eventListeners.add(listener),
    close: () => ws.close(),
  };
}

/**
 * An inspector session inside the server's first worker thread (on PGlite, the embedded
 * database's thread), through the main session's NodeWorker domain; `undefined` when the
 * server has no worker within `timeoutMs`.
 */
export async function workerInspectorSession(server, timeoutMs = 5_000) {
  const main = await inspectorSession(server);
  let sessionId;
  let nextId = 0;
  const pending = new Map();
  main.onEvent(({ method, params }) => {
    if (method === 'NodeWorker.attachedToWorker') sessionId ??= params.sessionId;
    if (method === 'NodeWorker.receivedMessageFromWorker' && params.sessionId === sessionId) {
      const message = JSON.parse(params.message);
      if (message.id && pending.has(message.id)) {
        pending.get(message.id)(message);
        pending.delete(message.id);
      }
    }
  });
  await main.call('NodeWorker.enable', { waitForDebuggerOnStart: false });
  for (const deadline = Date.now() + timeoutMs; !sessionId && Date.now() < deadline;)
    await sleep(50);
  if (!sessionId) {
    main.close();
    return undefined;
  }
  return {
    call: (method, params = {}) =>
      new Promise((resolveCall) => {
        const id = ++nextId;
        pending.set(id, resolveCall);
        void main.call('NodeWorker.sendMessageToWorker', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        });
      }),
    close: () => main.close(),
  };
}

/**
 * Forces a full GC in the server through its inspector, then reads process.memoryUsage()
 * and the heap's code spaces there, and VmRSS from /proc: the same method for Herald and the
 * baseline.
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
    // Compiled code lives in the heap too: code the first connections get compiled (once,
    // however many sockets follow) is read apart from what the sockets themselves hold.
    const spaces = await session.call('Runtime.evaluate', {
      expression: `JSON.stringify(require('node:v8').getHeapSpaceStatistics()
        .filter((s) => s.space_name.startsWith('code_'))
        .reduce((sum, s) => sum + s.space_used_size, 0))`,
      returnByValue: true,
      includeCommandLineAPI: true,
    });
    const code = Number(JSON.parse(spaces.result.result.value ?? 'null'));
    return {
      rss: rssOf(server.pid) ?? usage.rss,
      heapUsed: usage.heapUsed,
      heapCode: Number.isFinite(code) ? code : undefined,
      external: usage.external,
    };
  } finally {
    session.close();
  }
}

/**
 * Runs `fn` while the server's CPU profiler records (1 ms sampling); when `file` is set the
 * profile is written there (.cpuprofile, open in Chrome DevTools or profile-summary.mjs).
 * With `{ thread: 'worker' }` the profile is of its first worker thread instead (on PGlite,
 * the embedded database's), or nothing when it has none.
 */
export async function profiled(server, file, fn, { thread = 'main' } = {}) {
  if (!file) return fn();
  const session =
    thread === 'worker' ? await workerInspectorSession(server) : await inspectorSession(server);
  if (!session) return fn();
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
