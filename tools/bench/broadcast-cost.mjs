#!/usr/bin/env node
// How long a broadcast takes to reach its last socket, Herald beside the baseline: the
// broadcast scenario of `npm run bench` (the same driver, the same storm of sockets, the same
// broadcast of `xp:gained` through `POST /api/realtime/broadcast`), on a freshly started
// server per target and round. Each round measures every target once, alternating the
// order; a target's reading in a round is the median of its broadcasts, and the report ends
// with the medians of the rounds and their ratios. Broadcasts of one target follow each
// other closely, so a round's targets see the machine in nearly the same state: more rounds
// narrow the spread a single `npm run bench` repeat leaves. For a before/after of a change,
// `--compare-dist` adds another build of the API as a third target, measured in the same
// rounds. Herald runs from its production build (dist/apps/api/main.js; `npx nx build api`).
// The storms take no memory readings: what they would force (full collections) is no part
// of a broadcast.
//
//   node tools/bench/broadcast-cost.mjs [--storm 1000] [--broadcasts 9] [--rounds 6]
//     [--workers 4] [--database pglite|postgres] [--api-dist <dir holding main.js>]
//     [--compare-dist <another build's dir>]
import { resolve } from 'node:path';
import { newRunId } from '../testing/index.mjs';
import { cliOptions } from './lib/cli.mjs';
import { Driver } from './lib/driver.mjs';
import {
  API_MAIN,
  BASELINE_MAIN,
  BENCH_API_KEY,
  BENCH_JWT_SECRET,
  startSide,
} from './lib/servers.mjs';
import { spread } from './lib/stats.mjs';
import { WorkerPool } from './lib/workers.mjs';

const { option, oneOf, positive, refuseUnknown } = cliOptions();
const storm = positive('storm', 1000);
const broadcasts = positive('broadcasts', 9);
const rounds = positive('rounds', 6);
const workers = positive('workers', 4);
const database = oneOf('database', ['pglite', 'postgres']);
const heraldMain = option('api-dist') ? resolve(option('api-dist'), 'main.js') : API_MAIN;
const comparedMain = option('compare-dist')
  ? resolve(option('compare-dist'), 'main.js')
  : undefined;
refuseUnknown();
const targets = ['baseline', 'herald', ...(comparedMain ? ['compared'] : [])];
const mainOf = { baseline: BASELINE_MAIN, herald: heraldMain, compared: comparedMain };

async function measure(driver, target, runId, round) {
  const { server, release } = await startSide({
    label: target,
    main: mainOf[target],
    herald: target !== 'baseline',
    database,
    runId,
    tag: `bc${round}${target[0]}`,
  });
  try {
    const connect = await driver.connectStorm(server, storm, {
      label: `b${round}${target[0]}`,
      memory: false,
    });
    if (connect.failed) throw new Error(`${target}: ${JSON.stringify(connect.failures)}`);
    const result = await driver.broadcast(server, storm, broadcasts);
    await driver.closeAll();
    if (result.lost) throw new Error(`${target}: ${result.lost} deliveries lost`);
    return result;
  } finally {
    await release();
  }
}

const median = (values) => spread(values)?.median ?? NaN;
const fixed = (value, digits = 1) => Number(value).toFixed(digits);

const pool = new WorkerPool(workers);
const driver = new Driver(pool, { secret: BENCH_JWT_SECRET, apiKey: BENCH_API_KEY });
const runId = newRunId();
const results = Object.fromEntries(targets.map((target) => [target, []]));
console.log(
  `broadcasts to ${storm} sockets (${workers} client processes), ${broadcasts} per target and ` +
    `round, Herald on ${database} (${heraldMain}${comparedMain ? `; compared: ${comparedMain}` : ''}), ` +
    `${rounds} rounds`,
);
try {
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? targets : [...targets].reverse();
    for (const target of order) {
      const r = await measure(driver, target, runId, round);
      results[target].push(r.timeToLastMs);
      console.log(
        `  ${target.padEnd(8)} round ${round}: ${fixed(r.timeToLastMs)} ms to the last socket ` +
          `(${r.samplesMs.map((s) => fixed(s)).join(', ')})`,
      );
    }
  }
  console.log('\nmedians of the rounds:');
  const summary = Object.fromEntries(targets.map((t) => [t, median(results[t])]));
  for (const target of targets)
    console.log(`  ${target.padEnd(8)} ${fixed(summary[target])} ms to the last socket`);
  for (const target of ['herald', 'compared']) {
    if (summary[target] === undefined) continue;
    const perRound = results[target].map((v, i) => v / results.baseline[i]);
    console.log(
      `  ${target} ÷ baseline: ${fixed(summary[target] / summary.baseline, 2)}× ` +
        `(per round ${perRound.map((r) => fixed(r, 2)).join(', ')})`,
    );
  }
} finally {
  pool.close();
}
process.exit(0);
