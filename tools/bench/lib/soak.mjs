// The soak scenario (`npm run bench -- --soak`): holds thousands of Socket.IO connections
// against the built API with steady traffic for a set time, samples the server's memory and
// event-loop lag every few seconds, and writes a JSON report and an SVG curve. The server,
// its database, tokens and percentiles come from the shared harness (tools/testing) and the
// benchmark's cleanup, so a soak removes what it created exactly like a benchmark run.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { io } from 'socket.io-client';
import {
  TEST_API_KEY,
  WORKSPACE_ROOT,
  freePort,
  mintToken,
  percentile,
  sleep,
  startApi,
  waitFor,
} from '../../testing/index.mjs';
import { soakChart } from './chart.mjs';
import { createDatabase, onCleanup } from './environment.mjs';

/** The options of `--soak`, their defaults and what they mean. */
export const SOAK_OPTIONS = {
  minutes: ['10', 'steady-state duration after the ramp (fractions allowed)'],
  sockets: ['3000', 'connections held (3 devices per user)'],
  'notify-rate': ['20', 'POST /api/notifications per second (stored + pushed to 3 devices)'],
  'event-rate': ['20', 'typed service events per second (xp:gained to one user)'],
  'client-rate': ['20', 'client events per second (notification:mark_all_read with ack)'],
  churn: ['10', 'sockets closed and reopened every sample interval'],
  'sample-seconds': ['10', 'sampling interval'],
  'warmup-minutes': ['2', 'excluded from the growth bound'],
  bound: ['10', 'allowed RSS growth after warm-up, percent'],
  database: ['postgres', 'postgres (a fresh scratch database) or memory'],
  url: [undefined, 'soak an API that is already running instead of starting one'],
  out: ['tmp/soak', 'where soak-<time>.json and soak-<time>.svg go'],
};

/** Reads the soak options through `option(name)`; throws a clear error for a bad value. */
export function soakConfig(option) {
  const value = (name) => option(name) ?? SOAK_OPTIONS[name][0];
  const config = {
    minutes: Number(value('minutes')),
    sockets: Number(value('sockets')),
    notifyRate: Number(value('notify-rate')),
    eventRate: Number(value('event-rate')),
    clientRate: Number(value('client-rate')),
    churn: Number(value('churn')),
    sampleSeconds: Number(value('sample-seconds')),
    warmupMinutes: Number(value('warmup-minutes')),
    boundPercent: Number(value('bound')),
    database: value('database'),
    url: value('url') ?? null,
    out: value('out'),
  };
  for (const [key, number] of Object.entries(config)) {
    if (typeof number === 'number' && !(number >= 0))
      throw new Error(`soak option ${key} must be a non-negative number`);
  }
  if (config.sampleSeconds <= 0) throw new Error('--sample-seconds must be above 0');
  if (!['postgres', 'memory'].includes(config.database))
    throw new Error('--database must be postgres or memory');
  return config;
}

/** The production configuration, as operators run it, on a free port of its own. */
async function startSoakedApi(config, runId) {
  const database =
    config.database === 'memory' ? { url: 'memory://' } : await createDatabase(runId, 'soak');
  const api = await startApi({
    label: 'API',
    port: await freePort(),
    maxLogLines: 2_000,
    env: {
      NODE_ENV: 'production',
      DEMO_AUTH: 'false',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      // Every soak client shares 127.0.0.1: let the ramp through at 500 handshakes a second.
      HANDSHAKE_RATE_LIMIT_BURST: '500',
      HANDSHAKE_RATE_LIMIT_PER_SECOND: '500',
      // ... and hold thousands of sessions from that one address.
      WS_MAX_SOCKETS_PER_IP: '1000000',
    },
  });
  onCleanup(() => api.stop(15_000));
  const ready = async () => (await fetch(`${api.url}/api/health/ready`).catch(() => null))?.ok;
  await waitFor(ready, 90_000, 'API ready', 250);
  return api;
}

function parseMetrics(text) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    out[`${name}${labels.replace(/,?service="herald"/, '').replace('{}', '')}`] = Number(value);
  }
  return out;
}

function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

const round = (v, digits = 1) =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** Calls `fn` `rate` times a second, spread evenly, until the returned stop is called. */
function every(rate, fn) {
  if (rate <= 0) return () => undefined;
  const timer = setInterval(() => void fn().catch(() => undefined), 1_000 / rate);
  return () => clearInterval(timer);
}

function evaluate(samples, config) {
  const warm = samples.filter((s) => s.minute >= config.warmupMinutes);
  if (warm.length < 4)
    return { baselineRssMb: null, finalRssMb: null, growthPercent: null, withinBound: null };
  const avg = (list) => list.reduce((sum, s) => sum + s.rssMb, 0) / list.length;
  const perMinute = Math.max(1, Math.round(60 / config.sampleSeconds));
  const baselineRssMb = avg(warm.slice(0, perMinute));
  const finalRssMb = avg(warm.slice(-3));
  const growthPercent = ((finalRssMb - baselineRssMb) / baselineRssMb) * 100;
  const lags = warm.map((s) => s.lagP99Ms).filter((v) => Number.isFinite(v));
  return {
    baselineRssMb: round(baselineRssMb),
    finalRssMb: round(finalRssMb),
    peakRssMb: round(Math.max(...warm.map((s) => s.rssMb))),
    growthPercent: round(growthPercent),
    withinBound: growthPercent < config.boundPercent,
    lagP99MsMax: lags.length ? round(Math.max(...lags)) : null,
    lagP99MsMedian: lags.length ? round(percentile(lags, 50)) : null,
  };
}

/**
 * Runs one soak and writes its report; resolves with the exit code (1 when RSS grew past
 * the bound). `onOverrun` is called if the soak outlives its plan by five minutes.
 */
export async function runSoak(config, { runId, log, onOverrun }) {
  const started = Date.now();
  const hardStop = setTimeout(
    () => {
      log('soak: hard time limit reached; stopping');
      onOverrun();
    },
    (config.minutes + 5) * 60_000 + config.sockets * 20,
  );
  hardStop.unref();

  const server = config.url
    ? { url: config.url, pid: undefined, logs: [] }
    : await startSoakedApi(config, runId);
  log(`soak: API at ${server.url}${server.pid ? ` (pid ${server.pid})` : ''}`);

  const stats = {
    connected: 0,
    connectErrors: 0,
    notificationsReceived: 0,
    eventsReceived: 0,
    acksOk: 0,
    acksError: 0,
    httpOk: 0,
    httpError: 0,
    latenciesMs: [],
  };
  const openSocket = (token) => {
    const socket = io(server.url, {
      transports: ['websocket'],
      auth: { token },
      forceNew: true,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 5_000,
      timeout: 20_000,
    });
    socket.on('connect', () => stats.connected++);
    socket.on('disconnect', () => stats.connected--);
    socket.on('connect_error', () => stats.connectErrors++);
    socket.on('notification:new', ({ notification }) => {
      stats.notificationsReceived++;
      const sentAt = notification.data?.sentAt;
      if (typeof sentAt === 'number') stats.latenciesMs.push(Date.now() - sentAt);
    });
    socket.on('xp:gained', () => stats.eventsReceived++);
    return socket;
  };

  const users = Array.from(
    { length: Math.max(1, Math.ceil(config.sockets / 3)) },
    (_, i) => `soak-user-${i}`,
  );
  const tokens = new Map();
  for (const user of users)
    tokens.set(user, await mintToken(user, { email: `${user}@soak.test`, expiresIn: 6 * 3600 }));

  // Ramp: 100 connections every 250 ms.
  const sockets = [];
  onCleanup(() => sockets.forEach(({ socket }) => socket.close()));
  for (let i = 0; i < config.sockets; i++) {
    const user = users[i % users.length];
    sockets.push({ user, socket: openSocket(tokens.get(user)) });
    if (i % 100 === 99) await sleep(250);
  }
  const rampDeadline = Date.now() + 120_000;
  while (stats.connected < config.sockets * 0.99 && Date.now() < rampDeadline) await sleep(500);
  log(
    `soak: ramp ${stats.connected}/${config.sockets} connected in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const headers = { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY };
  const post = async (path, body) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (res.ok) stats.httpOk++;
    else stats.httpError++;
  };
  let sequence = 0;
  const stops = [
    every(config.notifyRate, () =>
      post('/api/notifications', {
        userId: pick(users),
        title: `soak ${++sequence}`,
        message: 'steady traffic',
        data: { sentAt: Date.now() },
      }),
    ),
    every(config.eventRate, () =>
      post(`/api/realtime/users/${pick(users)}/events`, {
        event: 'xp:gained',
        payload: { amount: 1, source: 'soak', totalXp: ++sequence },
      }),
    ),
    every(config.clientRate, async () => {
      const { socket } = pick(sockets);
      if (!socket.connected) return;
      const ack = await socket.timeout(10_000).emitWithAck('notification:mark_all_read', {});
      if (ack?.ok) stats.acksOk++;
      else stats.acksError++;
    }),
  ];

  const samples = [];
  const steadyStart = Date.now();
  const steadyEnd = steadyStart + config.minutes * 60_000;
  while (Date.now() < steadyEnd) {
    await sleep(Math.min(config.sampleSeconds * 1_000, Math.max(0, steadyEnd - Date.now())));
    let metrics = {};
    try {
      metrics = parseMetrics(await (await fetch(`${server.url}/api/metrics`)).text());
    } catch (error) {
      log(`soak: metrics scrape failed: ${error}`);
    }
    const proc = server.pid
      ? procStatus(server.pid)
      : { rssMb: (metrics['process_resident_memory_bytes'] ?? NaN) / 2 ** 20 };
    const latencies = stats.latenciesMs.splice(0);
    const sample = {
      minute: round((Date.now() - steadyStart) / 60_000, 2),
      rssMb: round(proc.rssMb),
      heapUsedMb: round((metrics['nodejs_heap_size_used_bytes'] ?? NaN) / 2 ** 20),
      heapTotalMb: round((metrics['nodejs_heap_size_total_bytes'] ?? NaN) / 2 ** 20),
      lagP99Ms: round((metrics['nodejs_eventloop_lag_p99_seconds'] ?? NaN) * 1_000),
      lagMaxMs: round((metrics['nodejs_eventloop_lag_max_seconds'] ?? NaN) * 1_000),
      cpuSeconds: round(metrics['process_cpu_seconds_total'] ?? NaN, 2),
      handles: metrics['nodejs_active_handles_total'] ?? null,
      serverConnections:
        metrics['herald_ws_connections'] ?? metrics['herald_realtime_connected_sockets'] ?? null,
      clientConnected: stats.connected,
      pushLatencyP50Ms: round(percentile(latencies, 50)),
      pushLatencyP99Ms: round(percentile(latencies, 99)),
      ...Object.fromEntries(
        Object.entries(stats).filter(([k]) => k !== 'latenciesMs' && k !== 'connected'),
      ),
    };
    samples.push(sample);
    log(
      `soak: t=${sample.minute.toFixed(1)} min rss=${sample.rssMb} MB heap=${sample.heapUsedMb} MB lag p99=${sample.lagP99Ms} ms ` +
        `sockets=${stats.connected} push p99=${sample.pushLatencyP99Ms} ms http ok/err=${stats.httpOk}/${stats.httpError}`,
    );
    // Churn: a few devices leave and come back, so connect/disconnect paths run all along.
    for (let i = 0; i < config.churn; i++) {
      const entry = pick(sockets);
      entry.socket.close();
      entry.socket = openSocket(tokens.get(entry.user));
    }
  }
  stops.forEach((stop) => stop());
  clearTimeout(hardStop);

  const report = {
    tool: 'npm run bench -- --soak',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    config,
    evaluation: evaluate(samples, config),
    totals: Object.fromEntries(Object.entries(stats).filter(([k]) => k !== 'latenciesMs')),
    samples,
    serverLogTail: server.logs.slice(-50),
  };
  const outDir = resolve(WORKSPACE_ROOT, config.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `soak-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, `soak-${stamp}.svg`), soakChart(report));
  log(`soak: report ${join(config.out, `soak-${stamp}.json`)} and .svg`);
  log(`soak: evaluation ${JSON.stringify(report.evaluation)}`);
  return report.evaluation.withinBound === false ? 1 : 0;
}
