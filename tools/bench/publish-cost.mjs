#!/usr/bin/env node
// What one publish costs the server, Herald beside the baseline: CPU time per publish by
// thread (the main thread apart from the rest: the collector's helpers, the embedded
// database's thread, libuv's pool; the busiest of the rest shown on its own, on PGlite the
// database's thread) and what the young generation of the main thread's heap
// does meanwhile (scavenges, their pauses, the bytes that survive each one, full
// collections). Each round measures every target once, alternating, at a fixed open-loop
// rate, with the clients in this process; medians of the rounds and the ratios end the
// report. For a before/after of a change, `--compare-dist` adds another build of the API
// (an earlier commit's `dist/apps/api`) as a third target, measured in the same rounds.
//
//   node tools/bench/publish-cost.mjs [--kind typed|stored] [--rate 1500] [--seconds 8]
//     [--rounds 3] [--users 100] [--devices 3] [--database pglite|postgres]
//     [--target both|herald|baseline] [--api-dist <dir holding main.js>]
//     [--compare-dist <another build's dir>] [--worker-profile <file.cpuprofile>]
//     [--profile <path prefix>]
//
// `--worker-profile` writes a CPU profile of Herald's worker thread (on PGlite, the embedded
// database's) over the last round's measured window (the profiler's own cost is in that
// round's figures); profile-summary.mjs reads it. `--profile <prefix>` does the same for
// the main thread of every target (`<prefix>-herald.cpuprofile`, `<prefix>-baseline…`).
//
// Herald runs from its production build (dist/apps/api/main.js; `npx nx build api`) with
// the benchmark's environment (tools/bench/lib/servers.mjs) and `--trace-gc-nvp`, whose
// lines are read from its output. Survivors per scavenge near the baseline's mean requests
// die young; megabytes mean something keeps finished requests alive until they are promoted
// (docs/benchmarks.md tells the case of `once` listeners).
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { io } from 'socket.io-client';
import { mintToken, newRunId } from '../testing/index.mjs';
import { cliOptions } from './lib/cli.mjs';
import { gcSummary, watchMainIsolateGc } from './lib/gc-trace.mjs';
import { Publisher } from './lib/publisher.mjs';
import {
  API_MAIN,
  BASELINE_MAIN,
  BENCH_API_KEY,
  profiled,
  sleep,
  startSide,
} from './lib/servers.mjs';
import { spread } from './lib/stats.mjs';

const { option, oneOf, positive, usage, refuseUnknown } = cliOptions();
const kind = oneOf('kind', ['typed', 'stored']);
const rate = positive('rate', 1500);
const seconds = positive('seconds', 8);
const rounds = positive('rounds', 3);
const users = positive('users', 100);
const devices = positive('devices', 3);
const database = oneOf('database', ['pglite', 'postgres']);
const target = oneOf('target', ['both', 'herald', 'baseline']);
const targets = target === 'both' ? ['baseline', 'herald'] : [target];
const heraldMain = option('api-dist') ? resolve(option('api-dist'), 'main.js') : API_MAIN;
const comparedMain = option('compare-dist') && resolve(option('compare-dist'), 'main.js');
if (comparedMain) targets.push('compared');
const mainOf = { baseline: BASELINE_MAIN, herald: heraldMain, compared: comparedMain };
const workerProfile = option('worker-profile') && resolve(option('worker-profile'));
if (workerProfile && database !== 'pglite')
  usage('--worker-profile profiles the embedded database thread: only with PGlite');
/** `--profile <prefix>`: the main thread of each target, over the last round. */
const mainProfile =
  option('profile') && ((target) => resolve(`${option('profile')}-${target}.cpuprofile`));
if (mainProfile && workerProfile) usage('--profile and --worker-profile: one profiler at a time');
refuseUnknown();
const WARM_UP_MS = 3_000;
const USER_HZ = 100;
const event = kind === 'typed' ? 'xp:gained' : 'notification:new';

/**
 * CPU seconds used so far by each thread of `pid`: the main thread under "main", the rest
 * under "other", and every thread by its id under "byThread".
 */
function threadCpu(pid) {
  const cpu = { main: 0, other: 0, byThread: {} };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const used = (Number(fields[11]) + Number(fields[12])) / USER_HZ;
      cpu[tid === String(pid) ? 'main' : 'other'] += used;
      cpu.byThread[tid] = used;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return cpu;
}

async function connectClients(url, counter) {
  const sockets = [];
  for (let user = 0; user < users; user++) {
    const token = await mintToken(`cost-${user}`);
    await Promise.all(
      Array.from(
        { length: devices },
        () =>
          new Promise((resolveOpen, reject) => {
            const socket = io(url, {
              transports: ['websocket'],
              auth: { token },
              reconnection: false,
            });
            socket.on(event, () => counter.received++);
            socket.once('authenticated', resolveOpen);
            socket.once('connect_error', reject);
            sockets.push(socket);
          }),
      ),
    );
  }
  return sockets;
}

function publishOf(url) {
  if (kind === 'typed')
    return (seq) => ({
      url: `${url}/api/realtime/users/cost-${seq % users}/events`,
      body: { event, payload: { amount: seq, source: `cost:${seq}`, totalXp: seq } },
    });
  return (seq) => ({
    url: `${url}/api/notifications`,
    body: {
      userId: `cost-${seq % users}`,
      title: `cost ${seq}`,
      message: 'publish cost',
      type: 'bench',
      data: { seq },
    },
  });
}

async function measure(target, runId, lastRound) {
  const { server, release } = await startSide({
    label: target,
    main: mainOf[target],
    herald: target !== 'baseline',
    database,
    runId,
    tag: 'cost',
    traceGc: true,
  });
  const counter = { received: 0 };
  const publisher = new Publisher(BENCH_API_KEY, 16);
  let sockets = [];
  try {
    sockets = await connectClients(server.url, counter);
    const build = publishOf(server.url);
    await publisher.run({ rate, durationMs: WARM_UP_MS, firstSeq: 0, build });
    await sleep(200);
    const gc = watchMainIsolateGc(server);
    gc.start();
    const received = counter.received;
    const before = threadCpu(server.pid);
    const publish = () => publisher.run({ rate, durationMs: seconds * 1000, firstSeq: 1e6, build });
    const run = !lastRound
      ? await publish()
      : workerProfile && target === 'herald'
        ? await profiled(server, workerProfile, publish, { thread: 'worker' })
        : await profiled(server, mainProfile?.(target), publish);
    await sleep(200);
    const after = threadCpu(server.pid);
    const gcLines = gc.stop();
    const publishes = run.sent.length;
    const perPublishUs = (part) => ((after[part] - before[part]) * 1e6) / publishes;
    // The busiest thread besides the main one: on PGlite, the embedded database's thread.
    const busiestUs = Math.max(
      0,
      ...Object.entries(after.byThread)
        .filter(([tid]) => tid !== String(server.pid))
        .map(([tid, used]) => ((used - (before.byThread[tid] ?? 0)) * 1e6) / publishes),
    );
    return {
      mainUs: perPublishUs('main'),
      otherUs: perPublishUs('other'),
      busiestUs,
      gc: gcSummary(gcLines),
      delivered: counter.received - received,
      expected: run.accepted.length * devices,
      refused: publishes - run.accepted.length,
      aborted: run.aborted,
    };
  } finally {
    for (const socket of sockets) socket.close();
    publisher.close();
    await release();
  }
}

const median = (values) => spread(values)?.median ?? NaN;
const fixed = (value, digits = 0) => value.toFixed(digits);

const runId = newRunId();
const results = Object.fromEntries(targets.map((target) => [target, []]));
console.log(
  `${kind} publishes at ${rate}/s for ${seconds} s, ${users} users × ${devices} devices, ` +
    `Herald on ${database} (${heraldMain}` +
    `${comparedMain ? `; compared: ${comparedMain}` : ''}), ${rounds} rounds`,
);
for (let round = 1; round <= rounds; round++) {
  for (const target of targets) {
    const r = await measure(target, runId, round === rounds);
    results[target].push(r);
    console.log(
      `  ${target.padEnd(8)} round ${round}: main ${fixed(r.mainUs)} µs + other threads ` +
        `${fixed(r.otherUs)} µs (the busiest ${fixed(r.busiestUs)}) per publish; ` +
        `${r.gc.scavenges} scavenges, mean pause ` +
        `${fixed(r.gc.scavengePauseMeanMs, 2)} ms, ${fixed(r.gc.survivedMeanKb)} KB survived each, ` +
        `${r.gc.full} full collections; delivered ${r.delivered}/${r.expected}` +
        (r.refused ? `, ${r.refused} refused` : '') +
        (r.aborted ? ` (${r.aborted})` : ''),
    );
  }
}
console.log('\nmedians:');
const summary = {};
for (const target of targets) {
  const rows = results[target];
  summary[target] = {
    main: median(rows.map((r) => r.mainUs)),
    total: median(rows.map((r) => r.mainUs + r.otherUs)),
    pause: median(rows.map((r) => r.gc.scavengePauseMeanMs)),
    survived: median(rows.map((r) => r.gc.survivedMeanKb)),
  };
  const s = summary[target];
  console.log(
    `  ${target.padEnd(8)} ${fixed(s.total)} µs per publish (main thread ${fixed(s.main)}), ` +
      `scavenge pause ${fixed(s.pause, 2)} ms, ${fixed(s.survived)} KB survived each`,
  );
}
for (const target of ['herald', 'compared']) {
  if (!summary[target] || !summary.baseline) continue;
  console.log(
    `  baseline ÷ ${target}, CPU per publish: ` +
      `${fixed(summary.baseline.total / summary[target].total, 2)}× ` +
      `(main thread ${fixed(summary.baseline.main / summary[target].main, 2)}×)`,
  );
}
process.exit(0);
