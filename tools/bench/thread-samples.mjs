#!/usr/bin/env node
// Where each server's CPU went during its connect storms, by thread and by what the thread
// was doing, from a system-wide `perf` recording of a `connect-cost.mjs` run: the main
// thread (JavaScript, inline-cache handlers, the collector, the kernel…), V8's helper
// threads (compiling JavaScript or WebAssembly, concurrent marking…) and the others (on
// PGlite, the database's worker thread). Samples are summed over every storm of a target
// and given per handshake; at `-F 999` a sample is about 1 ms of CPU.
//
//   perf record -a -g -k CLOCK_MONOTONIC -F 999 -o tmp/cc.perf -- \
//     node tools/bench/connect-cost.mjs --database pglite --rounds 3 \
//     --storm-windows tmp/cc-windows.jsonl
//   node tools/bench/thread-samples.mjs tmp/cc.perf tmp/cc-windows.jsonl [--hz 999]
//
// `-k CLOCK_MONOTONIC` puts perf's timestamps on the clock the windows are written with.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cliOptions } from './lib/cli.mjs';
import { parsePerfScript, tally } from './lib/perf-samples.mjs';

const [recording, windowsFile] = process.argv.slice(2, 4);
const { positive, refuseUnknown, usage } = cliOptions(process.argv.slice(4));
const hz = positive('hz', 999);
refuseUnknown();
if (!recording || !windowsFile)
  usage('usage: thread-samples.mjs <perf.data> <storm windows .jsonl> [--hz 999]');

const windows = readFileSync(windowsFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));

/** Per target: the storms, their handshakes, and the sample counts by role and work. */
const targets = new Map();
for (const { target, pid, start, end, handshakes } of windows) {
  const text = execFileSync(
    'perf',
    [
      'script',
      '-i',
      recording,
      '--pid',
      String(pid),
      '--time',
      `${start},${end}`,
      '-F',
      'tid,ip,sym,dso',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const roles = tally(parsePerfScript(text), pid);
  const entry = targets.get(target) ?? { storms: 0, handshakes: 0, roles: {} };
  entry.storms += 1;
  entry.handshakes += handshakes;
  for (const [role, { total, work }] of Object.entries(roles)) {
    const sum = (entry.roles[role] ??= { total: 0, work: new Map() });
    sum.total += total;
    for (const [name, count] of work) sum.work.set(name, (sum.work.get(name) ?? 0) + count);
  }
  targets.set(target, entry);
}

/** CPU ms per handshake that `samples` stand for. */
const perHandshake = (samples, handshakes) => ((samples / hz) * 1000) / handshakes;
const fixed = (ms) => ms.toFixed(3);
for (const [target, { storms, handshakes, roles }] of targets) {
  const all = Object.values(roles).reduce((sum, r) => sum + r.total, 0);
  process.stdout.write(
    `${target}: ${storms} storms, ${handshakes} handshakes, ${fixed(perHandshake(all, handshakes))} ms of CPU per handshake sampled\n`,
  );
  for (const [role, { total, work }] of Object.entries(roles).sort(
    (a, b) => b[1].total - a[1].total,
  )) {
    process.stdout.write(`  ${role}: ${fixed(perHandshake(total, handshakes))} ms\n`);
    for (const [name, count] of [...work].sort((a, b) => b[1] - a[1]))
      process.stdout.write(`    ${fixed(perHandshake(count, handshakes))}  ${name}\n`);
  }
}
