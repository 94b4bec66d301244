#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`, i.e. `node --cpu-prof`):
// the functions with the most self time, and the most inclusive time among frames whose
// source matches a filter (default: anything that is not node_modules or node internals).
//
//   node tools/bench/profile-summary.mjs <file.cpuprofile> [--top 30] [--match regex]
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--'));
if (!file) {
  process.stderr.write('usage: profile-summary.mjs <file.cpuprofile> [--top N] [--match regex]\n');
  process.exit(1);
}
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const top = Number(opt('top', 25));
const match = new RegExp(opt('match', '^(?!.*(node_modules|node:)).+'));

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts → time per node (µs), using the recorded time deltas.
const selfUs = new Map();
profile.samples.forEach((id, i) =>
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url) =>
  url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*?\/dist\//, 'dist/');
const key = (n) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const self = new Map();
const inclusive = new Map();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  self.set(key(node), (self.get(key(node)) ?? 0) + us);
  // Inclusive: count each distinct frame once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}

// Self time per package: which library (or Node itself) the CPU went to.
const packageOf = (url) => {
  if (!url) return '(native / VM)';
  // The innermost package (express nested under @nestjs/platform-express is "express").
  const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  if (all.length) return all[all.length - 1][1];
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
};
const packages = new Map();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  const name = ['(idle)', '(program)', '(garbage collector)'].includes(node.callFrame.functionName)
    ? node.callFrame.functionName
    : packageOf(node.callFrame.url);
  packages.set(name, (packages.get(name) ?? 0) + us);
}

const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const print = (title, entries) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of entries)
    process.stdout.write(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled\n`);
print('self time by package', [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, top));
print('self time', [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top));
print(
  `inclusive time, frames matching ${match}`,
  [...inclusive.entries()]
    .filter(
      ([k]) =>
        match.test(k) &&
        !k.startsWith('(root)') &&
        !k.startsWith('(program)') &&
        !k.startsWith('(idle)'),
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, top),
);
