#!/usr/bin/env node
// Soak test: holds thousands of Socket.IO connections against the BUILT API with steady
// traffic for a set time, samples the server's memory and event-loop lag every few seconds,
// and writes a JSON report and an SVG curve. It stops by itself (and kills what it started).
//
//   npx nx build api && nice -n 10 node tools/soak/run.mjs --minutes 10 --sockets 3000
//
// Options (all optional):
//   --minutes 10          steady-state duration after the ramp
//   --sockets 3000        connections held (3 devices per user)
//   --notify-rate 20      POST /api/notifications per second (stored + pushed to 3 devices)
//   --event-rate 20       typed service events per second (xp:gained to one user)
//   --client-rate 20      client events per second (notification:mark_all_read with ack)
//   --churn 10            sockets closed and reopened every sample interval
//   --sample-seconds 10   sampling interval
//   --warmup-minutes 2    excluded from the growth bound
//   --bound 10            allowed RSS growth after warm-up, percent
//   --database postgres   postgres (a fresh database on $HERALD_SOAK_PG_URL's server) or memory
//   --url http://…        soak an API that is already running instead of starting one
//   --out tmp/soak        where soak-<time>.json and soak-<time>.svg go
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import pg from 'pg';
import { io } from 'socket.io-client';

const ROOT = resolve(import.meta.dirname, '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
const JWT_SECRET = 'soak-secret-that-is-long-enough-for-hs256-0123456789';
const API_KEY = 'soak-service-api-key-0123456789';
const ADMIN_PG_URL =
  process.env.HERALD_SOAK_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sockets: { type: 'string', default: '3000' },
    'notify-rate': { type: 'string', default: '20' },
    'event-rate': { type: 'string', default: '20' },
    'client-rate': { type: 'string', default: '20' },
    churn: { type: 'string', default: '10' },
    'sample-seconds': { type: 'string', default: '10' },
    'warmup-minutes': { type: 'string', default: '2' },
    bound: { type: 'string', default: '10' },
    database: { type: 'string', default: 'postgres' },
    url: { type: 'string' },
    out: { type: 'string', default: 'tmp/soak' },
  },
});
const config = {
  minutes: Number(args.minutes),
  sockets: Number(args.sockets),
  notifyRate: Number(args['notify-rate']),
  eventRate: Number(args['event-rate']),
  clientRate: Number(args['client-rate']),
  churn: Number(args.churn),
  sampleSeconds: Number(args['sample-seconds']),
  warmupMinutes: Number(args['warmup-minutes']),
  boundPercent: Number(args.bound),
  database: args.database,
};
for (const [key, value] of Object.entries(config)) {
  if (typeof value === 'number' && !(value >= 0))
    throw new Error(`--${key} must be a non-negative number`);
}
if (!['postgres', 'memory'].includes(config.database))
  throw new Error('--database must be postgres or memory');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) =>
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const cleanups = [];

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

// ---- the server under test ----------------------------------------------------------------

async function createDatabase() {
  const name = `herald_soak_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: ADMIN_PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startApi() {
  if (!existsSync(API_MAIN))
    throw new Error(`${API_MAIN} is missing: run "npx nx build api" first`);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    // The production configuration, as operators run it.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    JWT_SECRET,
    API_KEY,
    DEMO_AUTH: 'false',
    CORS_ORIGIN: 'http://localhost:5173',
    DATABASE_URL: config.database === 'memory' ? 'memory://' : await createDatabase(),
    LOG_LEVEL: 'warn',
    // Every soak client shares 127.0.0.1: let the ramp through at 500 handshakes a second.
    HANDSHAKE_RATE_LIMIT_BURST: '500',
    HANDSHAKE_RATE_LIMIT_PER_SECOND: '500',
  };
  const child = spawn(process.execPath, [API_MAIN], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  const logs = [];
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const { code } = await exited;
      clearTimeout(timer);
      log(`API exited with code ${code}`);
    }
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      for (const line of chunk.split('\n')) if (line) logs.push(line.slice(0, 500));
      if (logs.length > 2_000) logs.splice(0, logs.length - 2_000);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited during start-up:\n${logs.join('\n')}`);
    try {
      if ((await fetch(`${url}/api/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`API not ready within 90 s:\n${logs.join('\n')}`);
    await sleep(250);
  }
  return { url, pid: child.pid, logs };
}

// ---- sampling -----------------------------------------------------------------------------

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

// ---- clients ------------------------------------------------------------------------------

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

async function tokenFor(userId) {
  return new SignJWT({ email: `${userId}@soak.test` })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime('6h')
    .sign(new TextEncoder().encode(JWT_SECRET));
}

function openSocket(url, token) {
  const socket = io(url, {
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
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Calls `fn` `rate` times a second, spread evenly, until `stop()`. */
function every(rate, fn) {
  if (rate <= 0) return () => undefined;
  const timer = setInterval(() => void fn().catch(() => undefined), 1_000 / rate);
  return () => clearInterval(timer);
}

// ---- report -------------------------------------------------------------------------------

function evaluate(samples) {
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

const round = (v, digits = 1) =>
  v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** Two stacked panels sharing the time axis: memory (RSS, heap used) and event-loop lag p99. */
function renderSvg(report) {
  const W = 760;
  const panelH = 200;
  const m = { left: 64, right: 150, top: 44, gap: 52, bottom: 44 };
  const H = m.top + panelH * 2 + m.gap + m.bottom;
  const samples = report.samples;
  const maxMinute = Math.max(1, ...samples.map((s) => s.minute));
  const x = (minute) => m.left + (minute / maxMinute) * (W - m.left - m.right);
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [];
  const panel = (top, title, series, unit) => {
    const max =
      Math.max(1, ...series.flatMap((s) => samples.map((p) => p[s.key]).filter(Number.isFinite))) *
      1.15;
    const y = (v) => top + panelH - (v / max) * panelH;
    parts.push(
      `<text x="${m.left}" y="${top - 10}" font-size="13" font-weight="bold">${esc(title)}</text>`,
    );
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i;
      parts.push(
        `<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      );
      parts.push(
        `<text x="${m.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Math.round(v)}</text>`,
      );
    }
    parts.push(
      `<text x="14" y="${top + panelH / 2}" font-size="11" transform="rotate(-90 14 ${top + panelH / 2})" text-anchor="middle">${unit}</text>`,
    );
    if (config.warmupMinutes > 0 && config.warmupMinutes < maxMinute) {
      parts.push(
        `<rect x="${m.left}" y="${top}" width="${x(config.warmupMinutes) - m.left}" height="${panelH}" fill="#f3f3f3"/>`,
      );
    }
    series.forEach((s, i) => {
      const points = samples
        .filter((p) => Number.isFinite(p[s.key]))
        .map((p) => `${x(p.minute).toFixed(1)},${y(p[s.key]).toFixed(1)}`);
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`,
      );
      parts.push(
        `<line x1="${W - m.right + 12}" x2="${W - m.right + 32}" y1="${top + 14 + i * 18}" y2="${top + 14 + i * 18}" stroke="${s.color}" stroke-width="2"/>`,
      );
      parts.push(
        `<text x="${W - m.right + 38}" y="${top + 18 + i * 18}" font-size="11">${esc(s.label)}</text>`,
      );
    });
  };
  panel(
    m.top,
    'Memory of the API process',
    [
      { key: 'rssMb', label: 'RSS', color: '#1f77b4' },
      { key: 'heapUsedMb', label: 'heap used', color: '#2ca02c' },
    ],
    'MB',
  );
  const lagTop = m.top + panelH + m.gap;
  panel(
    lagTop,
    'Event-loop lag (p99 per interval)',
    [{ key: 'lagP99Ms', label: 'lag p99', color: '#d62728' }],
    'ms',
  );
  for (let t = 0; t <= maxMinute; t += maxMinute > 12 ? 2 : 1) {
    parts.push(
      `<text x="${x(t)}" y="${H - m.bottom + 18}" font-size="11" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" font-size="11" text-anchor="middle">minutes (grey: warm-up, excluded from the bound)</text>`,
  );
  const e = report.evaluation;
  const verdict =
    e.growthPercent === null
      ? 'too short to judge'
      : `RSS growth after warm-up ${e.growthPercent} % (bound ${config.boundPercent} %)`;
  parts.push(
    `<text x="${m.left}" y="18" font-size="13">${esc(`${report.config.sockets} sockets, ${report.config.minutes} min: ${verdict}`)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  // Never outlive the plan: ramp + steady + 5 minutes of slack.
  const hardStop = setTimeout(
    () => {
      log('hard time limit reached; stopping');
      void shutdown(2);
    },
    (config.minutes + 5) * 60_000 + config.sockets * 20,
  );
  hardStop.unref();

  const server = args.url ? { url: args.url, pid: undefined, logs: [] } : await startApi();
  log(`API at ${server.url}${server.pid ? ` (pid ${server.pid})` : ''}`);
  const users = Array.from(
    { length: Math.max(1, Math.ceil(config.sockets / 3)) },
    (_, i) => `soak-user-${i}`,
  );
  const tokens = new Map();
  for (const user of users) tokens.set(user, await tokenFor(user));

  // Ramp: 100 connections every 250 ms.
  const sockets = [];
  for (let i = 0; i < config.sockets; i++) {
    const user = users[i % users.length];
    sockets.push({ user, socket: openSocket(server.url, tokens.get(user)) });
    if (i % 100 === 99) await sleep(250);
  }
  const rampDeadline = Date.now() + 120_000;
  while (stats.connected < config.sockets * 0.99 && Date.now() < rampDeadline) await sleep(500);
  log(
    `ramp: ${stats.connected}/${config.sockets} connected in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
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
      log(`metrics scrape failed: ${error}`);
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
      pushLatencyP50Ms: percentile(latencies, 50),
      pushLatencyP99Ms: percentile(latencies, 99),
      ...Object.fromEntries(
        Object.entries(stats).filter(([k]) => k !== 'latenciesMs' && k !== 'connected'),
      ),
    };
    samples.push(sample);
    log(
      `t=${sample.minute.toFixed(1)} min rss=${sample.rssMb} MB heap=${sample.heapUsedMb} MB lag p99=${sample.lagP99Ms} ms ` +
        `sockets=${stats.connected} push p99=${sample.pushLatencyP99Ms} ms http ok/err=${stats.httpOk}/${stats.httpError}`,
    );
    // Churn: a few devices leave and come back, so connect/disconnect paths run all along.
    for (let i = 0; i < config.churn; i++) {
      const entry = pick(sockets);
      entry.socket.close();
      entry.socket = openSocket(server.url, tokens.get(entry.user));
    }
  }
  stops.forEach((stop) => stop());

  const report = {
    tool: 'tools/soak/run.mjs',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    node: process.version,
    config: { ...config, url: args.url ?? null },
    evaluation: evaluate(samples),
    totals: Object.fromEntries(Object.entries(stats).filter(([k]) => k !== 'latenciesMs')),
    samples,
    serverLogTail: server.logs.slice(-50),
  };
  const outDir = resolve(ROOT, args.out);
  mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `soak-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, `soak-${stamp}.svg`), renderSvg(report));
  log(`report: ${join(args.out, `soak-${stamp}.json`)} and .svg`);
  log(`evaluation: ${JSON.stringify(report.evaluation)}`);

  for (const { socket } of sockets) socket.close();
  await shutdown(report.evaluation.withinBound === false ? 1 : 0);
}

let shuttingDown = false;
async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup failed: ${error}`);
    }
  }
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(130));
process.once('SIGTERM', () => void shutdown(143));
main().catch(async (error) => {
  log(`failed: ${error?.stack ?? error}`);
  await shutdown(1);
});
