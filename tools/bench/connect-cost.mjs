#!/usr/bin/env node
// What a handshake costs the server, Herald beside the baseline: the connect storm of
// `npm run bench` (the same driver, warm-up and forced collections before it, so the same
// heap state), on a freshly started server per target and round, with the CPU time per
// handshake split between the main thread and the others (the busiest of them also on its
// own: one of V8's helpers, or a worker thread that works harder), and what the main thread's heap
// did during the storm (scavenges, the bytes that survived them, full collections).
// Each round measures every target once, alternating; medians of the rounds and the ratios
// end the report. For a before/after of a change, `--compare-dist` adds another build of the
// API (an earlier commit's `dist/apps/api`) as a third target, measured in the same rounds.
//
//   node tools/bench/connect-cost.mjs [--storm 1000] [--rounds 4] [--concurrency 200] [--workers 2]
//     [--warm-storm <n>] [--returning] [--baseline-require <file>] [--no-memory-readings]
//     [--database pglite|postgres] [--api-dist <dir holding main.js>]
//     [--compare-dist <another build's dir>] [--node-option <flag>]...
//     [--compare-node-option <flag>]... [--baseline-node-option <flag>]... [--profile <prefix>]
//     [--storm-windows <file.jsonl>]
//
// `--profile <prefix>` records a CPU profile of each target's main thread over the last
// round's storm (`<prefix>-herald.cpuprofile`, …; profile-summary.mjs reads them); the
// profiler's own cost is in that round's figures.
// `--storm-windows <file>` appends a line per measured storm (target, round, the server's pid,
// its handshakes and the storm's start and end on CLOCK_MONOTONIC, in seconds): the windows
// that thread-samples.mjs reads out of a `perf record -k CLOCK_MONOTONIC` of the run.
// `--warm-storm <n>` first connects and closes a storm of n sockets on the same server, so
// the storm measured is a warm one (every function of the way compiled and optimized):
// what is left of a difference then is not warm-up. `--baseline-require <file>` preloads a
// module into the baseline, to see what a larger heap alone costs a handshake: tens of MB
// of plain objects (micro/heap-ballast.cjs) or every package of Herald's build, loaded and
// never used (micro/herald-packages.cjs).
// `--returning` measures a storm of returning users, as after a deploy: the same users (the
// storm's and its warm-up's) first connect and leave once, then the server is restarted on
// the same data and the storm is measured on the new process (the baseline is restarted
// too). Herald's database then knows every user and their address; the first storm of
// users never seen before (the default) also writes each one's address.
// `--no-memory-readings` leaves out the heap readings before and after the storm, and with
// them the full collections they force through the inspector: the storm then starts from the
// heap the warm-up left, not from one just shrunk by a memory-reducing GC.
// `--node-option` (repeatable) starts Herald with that Node/V8 flag, e.g.
// `--node-option --no-wasm-dynamic-tiering`; `--compare-node-option` the compared build (the
// same build as Herald's when `--compare-dist` is not given: a flag's effect alone);
// `--baseline-node-option` the baseline (e.g. the same V8 logging flags for both servers).
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { newRunId } from '../testing/index.mjs';
import { cliOptions } from './lib/cli.mjs';
import { Driver } from './lib/driver.mjs';
import { gcSummary, watchMainIsolateGc } from './lib/gc-trace.mjs';
import {
  API_MAIN,
  BASELINE_MAIN,
  BENCH_API_KEY,
  BENCH_JWT_SECRET,
  profiled,
  startSide,
} from './lib/servers.mjs';
import { spread } from './lib/stats.mjs';
import { WorkerPool } from './lib/workers.mjs';

const { option, flag, options, oneOf, positive, refuseUnknown } = cliOptions();
const storm = positive('storm', 1000);
const rounds = positive('rounds', 4);
const concurrency = positive('concurrency', 200);
/** Client processes sharing the storm: the full benchmark's storms run over four. */
const workers = positive('workers', 2);
const warmStorm = option('warm-storm') === undefined ? 0 : positive('warm-storm');
const returning = flag('returning');
const baselineRequire = option('baseline-require');
const memoryReadings = !flag('no-memory-readings');
const database = oneOf('database', ['pglite', 'postgres']);
const heraldMain = option('api-dist') ? resolve(option('api-dist'), 'main.js') : API_MAIN;
const comparedNodeOptions = options('compare-node-option');
const baselineNodeOptions = options('baseline-node-option');
const comparedMain = option('compare-dist')
  ? resolve(option('compare-dist'), 'main.js')
  : comparedNodeOptions.length
    ? heraldMain
    : undefined;
const nodeOptionsOf = {
  baseline: [
    ...(baselineRequire ? ['--require', resolve(baselineRequire)] : []),
    ...baselineNodeOptions,
  ],
  herald: options('node-option'),
  compared: comparedNodeOptions,
};
const profilePrefix = option('profile');
const stormWindows = option('storm-windows') && resolve(option('storm-windows'));
/** A `process.hrtime` reading (CLOCK_MONOTONIC) in seconds, as `perf script --time` takes it. */
const seconds = (ns) => (Number(ns / 1000n) / 1e6).toFixed(6);
refuseUnknown();
const targets = ['baseline', 'herald', ...(comparedMain ? ['compared'] : [])];
const mainOf = { baseline: BASELINE_MAIN, herald: heraldMain, compared: comparedMain };

async function measure(driver, target, runId, round) {
  const side = await startSide({
    label: target,
    main: mainOf[target],
    herald: target !== 'baseline',
    database,
    runId,
    tag: `cc${round}${target[0]}`,
    traceGc: true,
    execArgv: nodeOptionsOf[target],
  });
  const { release } = side;
  let { server } = side;
  const label = `r${round}${target[0]}`;
  try {
    if (returning) {
      await driver.connectStorm(server, storm, { concurrency, label, memory: false });
      await driver.closeAll();
      server = await side.restart();
    }
    if (warmStorm) {
      await driver.connectStorm(server, warmStorm, { concurrency, label: `w${round}${target[0]}` });
      await driver.closeAll();
    }
    const gc = watchMainIsolateGc(server);
    let gcLines = [];
    const result = await driver.connectStorm(server, storm, {
      concurrency,
      label,
      memory: memoryReadings,
      // Only the storm's collections: from the first handshake to the last count.
      wrap: async (fn) => {
        gc.start();
        const start = process.hrtime.bigint();
        try {
          const profile =
            profilePrefix && round === rounds
              ? resolve(`${profilePrefix}-${target}.cpuprofile`)
              : undefined;
          return await profiled(server, profile, fn);
        } finally {
          if (stormWindows) {
            const end = process.hrtime.bigint();
            const window = {
              target,
              round,
              pid: server.pid,
              handshakes: storm,
              start: seconds(start),
              end: seconds(end),
            };
            appendFileSync(stormWindows, `${JSON.stringify(window)}\n`);
          }
          gcLines = gc.stop();
        }
      },
    });
    await driver.closeAll();
    if (result.failed) throw new Error(`${target}: ${JSON.stringify(result.failures)}`);
    return {
      totalMs: result.serverCpuMsPerHandshake,
      mainMs: result.serverCpu?.mainMsPerHandshake,
      otherMs: result.serverCpu?.otherThreadsMsPerHandshake,
      busiestMs: result.serverCpu?.busiestOtherMsPerHandshake,
      rate: result.connectionsPerSec,
      tailMs: result.countTailMs,
      heapBeforeMb: result.memory ? result.memory.before.heapUsed / 2 ** 20 : NaN,
      gc: gcSummary(gcLines),
    };
  } finally {
    await release();
  }
}

const median = (values) => spread(values)?.median ?? NaN;
const fixed = (value, digits = 3) => Number(value).toFixed(digits);

const pool = new WorkerPool(workers);
const driver = new Driver(pool, { secret: BENCH_JWT_SECRET, apiKey: BENCH_API_KEY });
const runId = newRunId();
const results = Object.fromEntries(targets.map((target) => [target, []]));
console.log(
  `connect storms of ${storm} (concurrency ${concurrency}), Herald on ${database} ` +
    `(${heraldMain}${comparedMain ? `; compared: ${comparedMain}` : ''}` +
    `${nodeOptionsOf.herald.length ? `; Herald with ${nodeOptionsOf.herald.join(' ')}` : ''}` +
    `${comparedNodeOptions.length ? `; compared with ${comparedNodeOptions.join(' ')}` : ''}` +
    `${warmStorm ? `; after a storm of ${warmStorm} on the same server` : ''}` +
    `${returning ? '; returning users, after a restart' : ''}` +
    `${baselineRequire ? `; the baseline with ${baselineRequire} preloaded` : ''}` +
    `${baselineNodeOptions.length ? `; the baseline with ${baselineNodeOptions.join(' ')}` : ''}` +
    `${memoryReadings ? '' : '; no memory readings, so no forced collections'}), ` +
    `${rounds} rounds`,
);
try {
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order, so neither target always follows the other's leftovers.
    const order = round % 2 ? targets : [...targets].reverse();
    for (const target of order) {
      const r = await measure(driver, target, runId, round);
      results[target].push(r);
      console.log(
        `  ${target.padEnd(8)} round ${round}: ${fixed(r.totalMs)} ms per handshake (main ` +
          `${fixed(r.mainMs)}, other threads ${fixed(r.otherMs)}, the busiest of them ` +
          `${fixed(r.busiestMs)}), ${r.rate}/s (last count ${fixed(r.tailMs, 1)} ms after the last ` +
          `authenticated); ` +
          `${Number.isNaN(r.heapBeforeMb) ? 'heap not read' : `heap before ${fixed(r.heapBeforeMb, 1)} MB`}; ` +
          `storm: ${r.gc.scavenges} scavenges ` +
          `(${fixed(r.gc.survivedMb, 1)} MB survived), ${r.gc.full} full, ` +
          `${fixed(r.gc.pauseMs, 0)} ms paused`,
      );
    }
  }
  console.log('\nmedians:');
  const summary = {};
  for (const target of targets) {
    const rows = results[target];
    const s = (summary[target] = {
      total: median(rows.map((r) => r.totalMs)),
      main: median(rows.map((r) => r.mainMs)),
      other: median(rows.map((r) => r.otherMs)),
      busiest: median(rows.map((r) => r.busiestMs)),
      pause: median(rows.map((r) => r.gc.pauseMs)),
      rate: median(rows.map((r) => r.rate)),
      tail: median(rows.map((r) => r.tailMs)),
    });
    console.log(
      `  ${target.padEnd(8)} ${fixed(s.total)} ms per handshake (main ${fixed(s.main)}, ` +
        `other threads ${fixed(s.other)}, the busiest ${fixed(s.busiest)}), ` +
        `${fixed(s.pause, 0)} ms in GC pauses per storm; ${fixed(s.rate, 0)}/s, the last count ` +
        `${fixed(s.tail, 1)} ms after the last authenticated`,
    );
  }
  for (const target of ['herald', 'compared']) {
    if (!summary[target]) continue;
    console.log(
      `  baseline ÷ ${target}, CPU per handshake: ` +
        `${fixed(summary.baseline.total / summary[target].total, 2)}× ` +
        `(main thread ${fixed(summary.baseline.main / summary[target].main, 2)}×)`,
    );
  }
} finally {
  pool.close();
}
process.exit(0);
