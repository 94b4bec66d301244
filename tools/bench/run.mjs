#!/usr/bin/env node
// `npm run bench`: Herald against a raw Socket.IO baseline, in one run, with one driver.
//
//   npm run bench                  full run: 3 repeats of scenarios 1-7 (~15-17 min on 2 busy
//                                  cores, plus the receipts searches) → docs/benchmarks.md,
//                                  docs/benchmarks/<date>-<commit>.json
//   npm run bench -- --quick       baseline + Herald on PGlite and PostgreSQL, small N, 1 repeat,
//                                  1 s steps → tmp/bench/
//   npm run bench -- --compare [previous.json]   latest JSON vs a previous one, as ratios
//   npm run bench -- --capacity-only [--capacity N] [--budget S] [--out tmp]   the 20,000-socket
//                                  pass alone (writes docs/ unless --out; tmp/bench/ with it)
//   npm run bench -- --report <run.json>          re-render docs/benchmarks.md from a recorded run
//   npm run bench -- --soak [--minutes 10 --sockets 3000 ...]   the soak: thousands of sockets
//                                  with steady traffic for a set time, memory and lag sampled
//                                  → tmp/soak/soak-<time>.json and .svg (options: lib/soak.mjs)
//
// Scenarios (docs/benchmarks.md): 1 connect storm, 2 idle memory, 3 fan-out (typed events,
// then stored notifications; on Herald also stored notifications with every socket sending
// delivery receipts as the client library does, `storedWithReceipts`, reported beside
// `stored` as their ratio), 4 broadcast, 5 reconnect storm, 6 cross-process (Redis), and 7
// per-user traffic while a broadcast goes out (run right after 4, on the storm sockets):
// typed events at 200/s to `stallUsers` users × devices whose sockets join the storm ones
// in a client process of their own (the observer), first without broadcasts, then with one
// broadcast to every socket each second; the slowest per-user delivery in flight during a
// broadcast is checked against 100 ms.
//
// Herald's connect storm with its broadcasts, and its typed step at half the baseline's held
// rate, are each measured between two of the same on a fresh baseline server, right before
// and right after; their floors are ratios to those (lib/beside-baseline.mjs), not to the
// baseline's own repeat, which ran minutes earlier on a machine whose speed drifts.
//
// The capacity pass connects as many sockets as one process may open (20,000, or the
// open-file limit minus headroom), reports memory per socket projected to 50,000 sockets,
// then publishes typed events at 200/s over 1,000 of those sockets' users (p99 < 100 ms)
// and repeats scenario 7 with broadcasts to all of them, measured on 100 users.
//
// Other flags: --targets a,b,c (subset; the baseline d always runs), --repeats N, --storm N,
// --with-capacity (add the capacity pass to a full run, ~10 more minutes), --profile (a CPU
// profile of each scenario through the server's inspector, into tmp/bench/profiles), --build
// (rebuild the API first; it is built anyway when dist is missing), --api-dist <dir> (measure
// another build, e.g. an earlier commit's dist/apps/api, with this run's driver and report;
// add --out tmp to keep docs/benchmarks.md as it is).
//
// Targets: (a) Herald, embedded PGlite; (b) Herald, PostgreSQL; (c) two Herald processes
// sharing Redis; (d) the baseline (tools/bench/baseline-server.mjs). Servers and client
// workers are separate processes on 127.0.0.1; every process, database, Redis key and temp
// directory this run creates is removed at the end, on errors and on Ctrl-C.
import { execSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { cliOptions } from './lib/cli.mjs';
import { compareRuns } from './lib/compare.mjs';
import { Driver } from './lib/driver.mjs';
import {
  createDatabase,
  onCleanup,
  reserveRedisPrefix,
  runCleanups,
  tempDir,
} from './lib/environment.mjs';
import { summarizeRun, writeReport } from './lib/report.mjs';
import { runSoak, SOAK_OPTIONS, soakConfig } from './lib/soak.mjs';
import { round } from './lib/stats.mjs';
import {
  API_MAIN,
  BASELINE_MAIN,
  BENCH_API_KEY,
  BENCH_JWT_SECRET,
  freePort,
  heraldEnv,
  liveProcesses,
  ROOT,
  profiled,
  sleep,
  startServer,
} from './lib/servers.mjs';
import { WorkerPool } from './lib/workers.mjs';
import { newRunId } from '../testing/index.mjs';

const cli = cliOptions();
const { flag, option } = cli;
// Every option is named here, before anything runs, so that a misspelt one stops the run
// at once instead of being ignored by a run of twenty minutes that measures something else.
for (const name of ['api-dist', 'budget', 'capacity', 'concurrency', 'out', 'report']) option(name);
for (const name of ['repeats', 'storm', 'targets', ...Object.keys(SOAK_OPTIONS)]) option(name);
for (const name of ['build', 'capacity-only', 'profile', 'quick', 'soak', 'with-capacity'])
  flag(name);
const comparedRun = cli.optionalValue('compare');
cli.refuseUnknown();

if (flag('compare')) {
  process.exit(compareRuns(comparedRun));
}
if (option('report')) {
  // Re-renders docs/benchmarks.md (and the chart) from a recorded run, e.g. after a report change.
  const run = JSON.parse(readFileSync(option('report'), 'utf8'));
  run.summary = summarizeRun(run);
  process.stderr.write(`${writeReport(run, { docs: true }).join(', ')}\n`);
  process.exit(0);
}

const quick = flag('quick');
/** Only the 20,000-socket capacity pass (baseline and Herald PGlite), written on its own. */
const capacityOnly = flag('capacity-only');
const FD_LIMIT =
  Number(spawnSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;
/** A server process needs one descriptor per socket plus its own files and listeners. */
const MAX_SOCKETS_PER_PROCESS = FD_LIMIT - 200;

const config = quick
  ? {
      mode: 'quick',
      repeats: Number(option('repeats') ?? 1),
      workers: 2,
      stormN: Number(option('storm') ?? 500),
      concurrency: 100,
      broadcastRepeats: 3,
      users: 50,
      devices: 2,
      stepMs: 1_000,
      startRate: 250,
      maxRate: 4_000,
      refine: 0,
      retry: false,
      overloadFactors: [1, 2],
      perUserRate: 200,
      stallUsers: 50,
      stallBroadcasts: 3,
      capacity: [],
    }
  : {
      mode: 'full',
      repeats: Number(option('repeats') ?? 3),
      workers: 4,
      // Sized for a shared 2-core machine (the whole run within ~30 min even when other work
      // keeps it busy); the 20,000-socket figure is the separate capacity pass below.
      stormN: Number(option('storm') ?? 1_000),
      concurrency: 200,
      // A broadcast's time to the last socket moves by tens of percent from one to the next
      // on a busy machine: the median of nine.
      broadcastRepeats: 9,
      users: 100,
      devices: 3,
      stepMs: 2_000,
      startRate: 200,
      maxRate: 12_800,
      // Three bisections: one leaves the held rate on the doubling ladder's coarse steps
      // (6,400 or 9,600 between 6,400 and 12,800), so two servers 15 % apart could read
      // anywhere from 0.67× to 1×; three resolve it to 800/s there.
      refine: 3,
      retry: true,
      overloadFactors: [1, 1.5, 2, 3],
      perUserRate: 200,
      stallUsers: 50,
      stallBroadcasts: 4,
      // The capacity pass alone takes as long as the rest on a busy machine: opt in.
      capacity: flag('with-capacity') ? [Math.min(20_000, MAX_SOCKETS_PER_PROCESS)] : [],
    };

if (capacityOnly) {
  Object.assign(config, {
    mode: 'capacity',
    repeats: 0,
    workers: 4,
    concurrency: Number(option('concurrency') ?? 400),
    capacity: [Number(option('capacity') ?? Math.min(20_000, MAX_SOCKETS_PER_PROCESS))],
    capacityBudgetS: Number(option('budget') ?? 600),
  });
}
// Traffic once the capacity sockets are connected: per-user typed events at
// `perUserRate` over the first `capacityUsers` of their users (one socket each), then over
// the first `capacityObserved` (in the observer worker) without and with
// `capacityBroadcasts` broadcasts to every socket, one every `capacityGapMs` (a broadcast to
// ~20,000 sockets takes seconds on a busy machine: they must not overlap).
Object.assign(config, {
  capacityUsers: 1_000,
  capacityObserved: 100,
  capacityBroadcasts: 2,
  capacityGapMs: 4_000,
});

const TARGETS = {
  d: { id: 'd', label: 'baseline (raw Socket.IO)', kind: 'baseline' },
  a: { id: 'a', label: 'Herald, embedded PGlite', kind: 'herald', database: 'pglite' },
  b: { id: 'b', label: 'Herald, PostgreSQL', kind: 'herald', database: 'postgres' },
  c: { id: 'c', label: 'Herald ×2 with Redis', kind: 'cluster' },
};
const selected = [
  'd',
  // Quick mode defaults to the product's default set-up (embedded database) to stay short.
  ...(option('targets') ?? (capacityOnly ? 'a' : quick ? 'a,b' : 'a,b,c'))
    .split(',')
    .filter((t) => t !== 'd' && TARGETS[t]),
];

const runId = newRunId();
const log = (line) => process.stderr.write(`${line}\n`);
const startedAt = new Date();
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

let pool;
let driver;
let interrupted = false;

async function shutdown(code) {
  try {
    await driver?.closeAll().catch((error) => void error);
  } catch {
    // workers may be gone already
  }
  driver?.close();
  pool?.close();
  for (const child of liveProcesses) child.kill('SIGKILL');
  await runCleanups();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping every process this run started and removing its data`);
    void shutdown(130);
  });
}

function gitInfo() {
  const git = (args) => {
    try {
      return execSync(`git ${args}`, {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    commit: git('rev-parse --short HEAD'),
    subject: git('log -1 --format=%s'),
    dirty: git('status --porcelain -- apps libs') !== '',
    // Another build than this checkout's, measured with --api-dist.
    ...(option('api-dist') ? { apiDist: option('api-dist') } : {}),
  };
}

/**
 * The build every Herald process of this run starts from: a private copy of dist/apps/api,
 * so that a rebuild by someone else during the run (a shared checkout) cannot change or
 * break the code under test half-way. Node still resolves node_modules from the workspace.
 */
let heraldMain = API_MAIN;
/** `--api-dist <dir>`: measure another build (e.g. an earlier commit's dist/apps/api). */
const apiDist = option('api-dist');
function snapshotBuild() {
  const dir = join(ROOT, 'tmp/bench', `api-${runId}`);
  cpSync(apiDist ?? dirname(API_MAIN), dir, { recursive: true });
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  heraldMain = join(dir, 'main.js');
}

function ensureBuild() {
  if (apiDist) {
    if (!existsSync(join(apiDist, 'main.js'))) throw new Error(`${apiDist}/main.js is missing`);
    return;
  }
  if (!flag('build') && existsSync(API_MAIN)) return;
  log('building the API (npx nx build api) ...');
  const result = spawnSync('npx', ['nx', 'build', 'api', '--outputStyle=static'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  if (result.status !== 0) throw new Error('the API build failed');
}

// ---- targets --------------------------------------------------------------------------

const profileDir = flag('profile') ? join(ROOT, 'tmp/bench/profiles', runId) : undefined;
/** Where the CPU profile of one scenario goes (only with --profile). */
const profileFile = (target, repeat, scenario) =>
  profileDir && join(profileDir, `${target.id}${repeat}-${scenario}.cpuprofile`);

/** Prepares a target's resources and returns `start(port)` for it (also used to restart). */
async function prepare(target, repeat) {
  const label = `${target.id}${repeat}`;
  if (target.kind === 'baseline') {
    return {
      start: (port) =>
        startServer({
          label: target.label,
          main: BASELINE_MAIN,
          port,
          env: { HOST: '127.0.0.1', JWT_SECRET: BENCH_JWT_SECRET, API_KEY: BENCH_API_KEY },
        }),
      release: async () => undefined,
    };
  }
  let env;
  let release;
  if (target.database === 'pglite') {
    const { dir, drop } = tempDir(label);
    env = heraldEnv({ DATA_DIR: dir });
    release = drop;
  } else {
    const db = await createDatabase(runId, label);
    env = heraldEnv({ DATABASE_URL: db.url });
    release = db.drop;
  }
  return {
    start: (port) =>
      startServer({
        label: target.label,
        main: heraldMain,
        port,
        env,
      }),
    release,
  };
}

/**
 * Scenarios 1-5 on one single-process target (on Herald, stored notifications also with
 * receipts). `halfRate` is the baseline's held rate / 2.
 */
async function runSingle(target, repeat, halfRate) {
  const prepared = await prepare(target, repeat);
  const port = await freePort();
  let server = await prepared.start(port);
  const result = { repeat };
  try {
    // The connect and broadcast floors compare Herald with baseline storms run right before
    // and right after its own: the baseline's repeat ran minutes earlier (lib/beside-baseline.mjs).
    if (target.kind === 'herald') result.baselineBeside = [await baselineStorm(repeat, 'before')];
    log(`  [${elapsed()}] ${target.label}: connect storm of ${config.stormN}`);
    result.connect = await driver.connectStorm(server, config.stormN, {
      concurrency: config.concurrency,
      label: `s${repeat}`,
      // The same sockets then live through the restart of scenario 5.
      reconnection: true,
      wrap: (fn) => profiled(server, profileFile(target, repeat, 'connect'), fn),
    });
    log(
      `    ${result.connect.connected}/${config.stormN} in ${result.connect.stormMs} ms = ${result.connect.connectionsPerSec}/s, handshake p50 ${result.connect.handshakeP50Ms} p99 ${result.connect.handshakeP99Ms} ms, server CPU ${result.connect.serverCpuMsPerHandshake} ms/handshake (main thread ${result.connect.serverCpu?.mainMsPerHandshake}, other threads ${result.connect.serverCpu?.otherThreadsMsPerHandshake}), rss ${result.connect.memory.rssPerSocketKb} KB/socket, heap ${result.connect.memory.heapPerSocketKb} KB/socket (${result.connect.memory.heapDataPerSocketKb} KB without code)`,
    );
    result.broadcast = await profiled(server, profileFile(target, repeat, 'broadcast'), () =>
      driver.broadcast(server, result.connect.connected, config.broadcastRepeats),
    );
    log(
      `    broadcast to ${result.connect.connected}: last socket after ${result.broadcast.timeToLastMs} ms (lost ${result.broadcast.lost})`,
    );
    if (target.kind === 'herald') {
      // Herald's storm sockets step aside for the baseline storm after it, then come back
      // (not measured) for the scenarios that run on them.
      await driver.closeAll();
      result.baselineBeside.push(await baselineStorm(repeat, 'after'));
      const back = await driver.connect(
        server.url,
        Array.from({ length: result.connect.connected }, (_, i) => `s${repeat}-${i}`),
        { concurrency: config.concurrency, reconnection: true },
      );
      if (back.connected !== result.connect.connected)
        throw new Error(`only ${back.connected} of the storm's sockets came back`);
    }
    log(
      `  [${elapsed()}] ${target.label}: per-user fan-out at ${config.perUserRate}/s while broadcasts go out`,
    );
    result.perUserDuringBroadcast = await profiled(
      server,
      profileFile(target, repeat, 'per-user-during-broadcast'),
      () => perUserDuringBroadcasts(server, result.connect.connected),
    );
    log(
      `  [${elapsed()}] ${target.label}: reconnect storm (restart under ${result.connect.connected} clients)`,
    );
    const storm = await driver.reconnectStorm(
      server,
      () => prepared.start(port),
      result.connect.connected,
    );
    server = storm.server;
    result.reconnect = storm.result;
    log(
      `    restart ${result.reconnect.restartMs} ms; all ${result.connect.connected} back ${result.reconnect.allBackAfterReadyMs} ms after ready (missing ${result.reconnect.missing}), peak ${result.reconnect.peakHandshakesPerSec} handshakes/s`,
    );
    await driver.closeAll();

    log(
      `  [${elapsed()}] ${target.label}: fan-out ${config.users} users × ${config.devices} devices`,
    );
    const fan = await driver.connect(
      server.url,
      driver.fanoutUserIds(config.users, config.devices),
      { concurrency: config.concurrency },
    );
    if (fan.connected !== config.users * config.devices)
      throw new Error(`fan-out: only ${fan.connected} sockets connected`);
    const common = {
      publishUrl: server.url,
      serverPid: server.pid,
      users: config.users,
      devices: config.devices,
      durationMs: config.stepMs,
    };
    const search = {
      startRate: config.startRate,
      maxRate: config.maxRate,
      refine: config.refine,
      retry: config.retry,
    };
    const file = (scenario) => profileFile(target, repeat, scenario);
    result.typed = await profiled(server, file('typed'), () =>
      driver.findHeldRate({ ...common, ...search, mode: 'typed' }),
    );
    const half = halfRate ?? Math.max(1, Math.round(result.typed.heldRate / 2));
    // The CPU per typed publish is compared with a baseline step right before and right after.
    if (target.kind === 'herald')
      result.baselineBeside.push(await baselineTypedStep(repeat, 'before typed', half));
    result.typedAtHalf = await profiled(server, file('typed-half'), () =>
      driver.fanoutStep({ ...common, mode: 'typed', rate: half }),
    );
    if (target.kind === 'herald')
      result.baselineBeside.push(await baselineTypedStep(repeat, 'after typed', half));
    result.stored = await profiled(server, file('stored'), () =>
      driver.findHeldRate({ ...common, ...search, mode: 'stored' }),
    );
    if (target.kind === 'herald') {
      // The same search with every device confirming what it received, as the client library
      // does: the cost of delivery receipts. The baseline has no receipts to measure.
      result.storedWithReceipts = await profiled(server, file('stored-receipts'), () =>
        driver.findHeldRateWithReceipts({ ...common, ...search }),
      );
      const { heldRate } = result.storedWithReceipts;
      const { messages, ids, unacknowledged } = result.storedWithReceipts.receipts;
      log(
        `    stored held ${result.stored.heldRate}/s without receipts, ${heldRate}/s with (${result.stored.heldRate ? round(heldRate / result.stored.heldRate) : '–'}×); ${messages} receipt messages, ${ids} ids confirmed, ${unacknowledged} unacknowledged`,
      );
      // Overload: offered more than it holds, Herald refuses the excess (503 + Retry-After)
      // and delivers what it accepted in time. Offered rates are multiples of the rate held.
      result.overload = {};
      for (const mode of ['typed', 'stored']) {
        const held = result[mode].heldRate;
        if (!held) continue;
        result.overload[mode] = [];
        for (const factor of config.overloadFactors) {
          const step = await driver.fanoutStep({
            ...common,
            mode,
            rate: Math.round(held * factor),
            refusalsAllowed: true,
            label: `${mode} overload ${factor}×`,
          });
          result.overload[mode].push({ factor, ...step });
        }
      }
    }
    await driver.closeAll();
  } finally {
    await server.stop();
    await prepared.release();
  }
  return result;
}

/**
 * A connect storm and a broadcast on a fresh baseline server, measured beside a Herald
 * target's own (`when`: 'before' or 'after' it). Its sockets are closed and the server
 * stopped before it returns.
 */
async function baselineStorm(repeat, when) {
  const prepared = await prepare(TARGETS.d, repeat);
  const server = await prepared.start(await freePort());
  try {
    const connect = await driver.connectStorm(server, config.stormN, {
      concurrency: config.concurrency,
      label: `d${repeat}-${when}`,
    });
    const broadcast = await driver.broadcast(server, connect.connected, config.broadcastRepeats);
    log(
      `    baseline ${when}: ${connect.connected}/${config.stormN} at ${connect.connectionsPerSec}/s, server CPU ${connect.serverCpuMsPerHandshake} ms/handshake; broadcast last socket after ${broadcast.timeToLastMs} ms`,
    );
    await driver.closeAll();
    return { when, connect, broadcast };
  } finally {
    await server.stop();
    await prepared.release();
  }
}

/**
 * The typed fan-out step at `rate` on a fresh baseline server, measured beside a Herald
 * target's own (`when`). Its users (`g-…`, as many users × devices as the fan-out) connect
 * beside Herald's, which stay connected and idle; a warm-up step first, as Herald's step
 * follows its whole search.
 */
async function baselineTypedStep(repeat, when, rate) {
  const prepared = await prepare(TARGETS.d, repeat);
  const server = await prepared.start(await freePort());
  try {
    const fan = await driver.connect(
      server.url,
      driver.fanoutUserIds(config.users, config.devices, 'g'),
      { concurrency: config.concurrency },
    );
    if (fan.connected !== config.users * config.devices)
      throw new Error(`baseline beside: only ${fan.connected} sockets connected`);
    const step = {
      publishUrl: server.url,
      serverPid: server.pid,
      mode: 'typed',
      rate,
      users: config.users,
      devices: config.devices,
      userPrefix: 'g',
    };
    await driver.fanoutStep({ ...step, durationMs: 2_000, quiet: true });
    const typedAtHalf = await driver.fanoutStep({
      ...step,
      durationMs: config.stepMs,
      label: `baseline ${when}: typed`,
    });
    return { when, typedAtHalf };
  } finally {
    await driver.closeUsers('g-');
    await server.stop();
    await prepared.release();
  }
}

/**
 * Scenario 7: per-user typed events keep flowing while a broadcast goes out. The fan-out
 * users' sockets join the storm sockets for the step (the broadcasts reach both) and leave
 * after it, so the reconnect storm that follows restarts under the storm sockets alone.
 */
async function perUserDuringBroadcasts(server, stormSockets) {
  const userIds = driver.fanoutUserIds(config.stallUsers, config.devices);
  // In the observer worker: their latency is not queued behind the storm sockets' broadcasts.
  const fan = await driver.connect(server.url, userIds, {
    concurrency: config.concurrency,
    observed: userIds.length,
  });
  try {
    if (fan.connected !== userIds.length)
      throw new Error(`per-user during broadcasts: only ${fan.connected} sockets connected`);
    const step = {
      publishUrl: server.url,
      mode: 'typed',
      rate: config.perUserRate,
      users: config.stallUsers,
      devices: config.devices,
    };
    // Warm-up (JIT, connection pools): not recorded.
    await driver.fanoutStep({ ...step, durationMs: 1_000, quiet: true });
    return await driver.fanoutDuringBroadcasts({
      ...step,
      sockets: stormSockets + fan.connected,
      broadcasts: config.stallBroadcasts,
    });
  } finally {
    await driver.closeUsers('f-');
  }
}

/**
 * Scenario 6: two Herald processes on one Redis; clients on A, publishes via A or via B, at
 * half the rate single-process Herald held in this repeat (a rate Herald can sustain).
 */
async function runCluster(target, repeat, halfRate) {
  const { prefix, drop } = await reserveRedisPrefix(runId, `c${repeat}`);
  const env = heraldEnv({
    DATABASE_URL: 'memory://',
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
  });
  const [portA, portB] = [await freePort(), await freePort()];
  const servers = [];
  try {
    servers.push(await startServer({ label: 'Herald A', main: heraldMain, port: portA, env }));
    servers.push(await startServer({ label: 'Herald B', main: heraldMain, port: portB, env }));
    const [a, b] = servers;
    const redisReported = JSON.stringify(a.health ?? {})
      .toLowerCase()
      .includes('redis');
    // Functional probe: one socket on A, one typed event published through B.
    await driver.connect(a.url, ['probe-0']);
    await driver.pool.all('track', () => ({ event: 'xp:gained' }));
    const seq = driver.seq++;
    await driver.publisher.post(`${b.url}/api/realtime/users/probe-0/events`, {
      event: 'xp:gained',
      payload: {
        amount: seq,
        source: `p:${seq}:${Number(process.hrtime.bigint() / 1000n)}`,
        totalXp: seq,
      },
    });
    const got = await driver.waitForReceipts(1, 3_000);
    await driver.pool.all('collect', () => ({ expected: {} }));
    await driver.closeAll();
    if (got < 1) {
      return {
        repeat,
        skipped: `an event published on process B never reached a socket on process A within 3 s (health ${redisReported ? 'mentions' : 'does not mention'} Redis): the API has no working Redis adapter yet`,
      };
    }
    log(`  [${elapsed()}] ${target.label}: cross-process fan-out (clients on A)`);
    await driver.connect(a.url, driver.fanoutUserIds(config.users, config.devices), {
      concurrency: config.concurrency,
    });
    const common = {
      users: config.users,
      devices: config.devices,
      durationMs: config.stepMs,
      mode: 'typed',
    };
    const rate = halfRate ?? Math.round(config.startRate / 4);
    const result = { repeat, rate };
    await driver.fanoutStep({ ...common, publishUrl: b.url, rate, durationMs: 1_000, quiet: true });
    result.sameProcess = await driver.fanoutStep({ ...common, publishUrl: a.url, rate });
    result.crossProcess = await driver.fanoutStep({ ...common, publishUrl: b.url, rate });
    if (!quick) {
      result.crossTyped = await driver.findHeldRate({
        ...common,
        publishUrl: b.url,
        startRate: Math.max(25, rate * 2),
        maxRate: config.maxRate,
        refine: config.refine,
        retry: config.retry,
      });
    }
    await driver.closeAll();
    return result;
  } finally {
    for (const server of servers) await server.stop();
    await drop();
  }
}

/**
 * Per-user traffic with every capacity socket connected: typed events at
 * `config.perUserRate` over the first `config.capacityUsers` users (one socket each, named
 * `${label}-i`), then over the first `config.capacityObserved` of them (the observer
 * worker's) without and with broadcasts to all `sockets`. Every observed socket receives the
 * broadcasts too; fewer of them keep the observing client's own queue short.
 */
async function capacityTraffic(server, label, sockets) {
  const users = Math.min(config.capacityUsers, sockets);
  const step = {
    publishUrl: server.url,
    mode: 'typed',
    rate: config.perUserRate,
    users,
    devices: 1,
    userPrefix: label,
  };
  log(
    `  [${elapsed()}] per-user fan-out at ${config.perUserRate}/s over ${users} of the ${sockets} sockets' users`,
  );
  await driver.fanoutStep({ ...step, durationMs: 1_000, quiet: true });
  const perUser = await driver.fanoutStep({
    ...step,
    durationMs: 5_000,
    serverPid: server.pid,
    label: `per-user with ${sockets} sockets`,
  });
  const perUserDuringBroadcast = await driver.fanoutDuringBroadcasts({
    ...step,
    users: Math.min(config.capacityObserved, users),
    sockets,
    broadcasts: config.capacityBroadcasts,
    gapMs: config.capacityGapMs,
    graceMs: 30_000,
  });
  return { perUser, perUserDuringBroadcast };
}

/** 20,000-socket capacity (or as many as a process may open here): one pass per target. */
async function runCapacity(target) {
  const prepared = await prepare(target, 'cap');
  const port = await freePort();
  const server = await prepared.start(port);
  const steps = [];
  try {
    for (const n of config.capacity) {
      log(`  [${elapsed()}] ${target.label}: capacity ${n} sockets`);
      const storm = await driver.connectStorm(server, n, {
        concurrency: config.concurrency,
        label: `cap${n}`,
        deadline: config.capacityBudgetS ? Date.now() + config.capacityBudgetS * 1000 : undefined,
        // The users the traffic afterwards goes to: in the observer worker.
        observed: Math.min(config.capacityObserved, n),
      });
      await sleep(5_000);
      const status = await driver.pool.all('status');
      const stillConnected = status.reduce((a, s) => a + s.connected, 0);
      const step = { ...storm, stillConnectedAfter5s: stillConnected };
      steps.push(step);
      log(
        `    ${storm.connected}/${n} connected (${storm.connectionsPerSec}/s, failures ${JSON.stringify(storm.failures)}), ${stillConnected} still connected 5 s later, rss ${Math.round(storm.memory.after.rss / 1048576)} MB`,
      );
      try {
        Object.assign(step, await capacityTraffic(server, `cap${n}`, stillConnected));
      } catch (error) {
        if (interrupted) throw error;
        log(`    traffic with ${stillConnected} sockets FAILED: ${error.stack ?? error}`);
        step.trafficError = String(error.message ?? error);
      }
      await driver.closeAll();
      await sleep(2_000);
    }
  } finally {
    await server.stop();
    await prepared.release();
  }
  return steps;
}

// ---- main -------------------------------------------------------------------------------

async function main() {
  if (selected.some((id) => id !== 'd')) {
    ensureBuild();
    snapshotBuild();
  }
  const git = gitInfo();
  log(
    `herald bench (${config.mode}): targets ${selected.join(', ')}, ${config.repeats} repeat(s), ${config.workers} client workers, fd limit ${FD_LIMIT}`,
  );
  // One more worker than the load needs: the observer, which holds only the sockets whose
  // per-user latency is measured while the others receive broadcasts.
  pool = new WorkerPool(config.workers + 1);
  driver = new Driver(pool, {
    secret: BENCH_JWT_SECRET,
    apiKey: BENCH_API_KEY,
    log,
    observer: config.workers,
  });
  const loadBefore = os.loadavg();
  const results = Object.fromEntries(selected.map((id) => [id, { ...TARGETS[id], repeats: [] }]));

  for (let repeat = 0; repeat < config.repeats && !interrupted; repeat += 1) {
    log(`[${elapsed()}] repeat ${repeat + 1}/${config.repeats}`);
    let halfRate;
    let heraldHalfRate;
    for (const id of selected) {
      const target = TARGETS[id];
      try {
        const result =
          target.kind === 'cluster'
            ? await runCluster(target, repeat, heraldHalfRate)
            : await runSingle(target, repeat, halfRate);
        if (id === 'd') halfRate = Math.max(1, Math.round(result.typed.heldRate / 2));
        if (id === 'a' && result.typed)
          heraldHalfRate = Math.max(10, Math.round(result.typed.heldRate / 2));
        if (result.skipped) log(`  ${target.label}: skipped: ${result.skipped}`);
        results[id].repeats.push(result);
      } catch (error) {
        if (interrupted) return;
        log(`  ${target.label}: FAILED: ${error.stack ?? error}`);
        results[id].repeats.push({ repeat, error: String(error.message ?? error) });
        if (id === 'd') throw new Error('the baseline failed; ratios would be meaningless');
      }
    }
  }

  const capacity = {};
  if (config.capacity.length && !interrupted) {
    log(`[${elapsed()}] capacity (once per target)`);
    for (const id of selected.filter((t) => t === 'd' || t === 'a')) {
      try {
        capacity[id] = await runCapacity(TARGETS[id]);
      } catch (error) {
        log(`  ${TARGETS[id].label}: capacity FAILED: ${error.stack ?? error}`);
        capacity[id] = { error: String(error.message ?? error) };
      }
    }
  }

  const cpus = os.cpus();
  const run = {
    version: 1,
    meta: {
      date: startedAt.toISOString(),
      durationS: Math.round((Date.now() - t0) / 1000),
      ...git,
      mode: config.mode,
      config: { ...config, fdLimit: FD_LIMIT },
      machine: {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        loadBefore: loadBefore.map((l) => Number(l.toFixed(2))),
        loadAfter: os.loadavg().map((l) => Number(l.toFixed(2))),
      },
    },
    targets: results,
    capacity,
  };
  run.summary = summarizeRun(run);
  const written = writeReport(run, { docs: !quick && !option('out') });
  log(`[${elapsed()}] done: ${written.join(', ')}`);
  for (const line of run.summary.checks)
    log(`  ${line.met === null ? '·' : line.met ? '✓' : '✗'} ${line.text}`);
}

onCleanup(async () => {
  pool?.close();
  for (const child of liveProcesses) child.kill('SIGKILL');
});
/** `--soak`: the long-running stability scenario instead of the benchmark. */
async function soak() {
  const soakOptions = soakConfig(option);
  if (!soakOptions.url) ensureBuild();
  return runSoak(soakOptions, { runId, log, onOverrun: () => void shutdown(2) });
}

mkdirSync(join(ROOT, 'tmp/bench'), { recursive: true });
(flag('soak') ? soak() : main())
  .then((code = 0) => shutdown(code))
  .catch((error) => {
    log(`bench failed: ${error.stack ?? error}`);
    void shutdown(1);
  });
