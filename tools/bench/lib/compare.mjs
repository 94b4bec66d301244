// `npm run bench -- --compare [previous.json]`: the latest run against a previous one.
// Absolute figures drift on a shared machine, so the ratio-to-baseline columns are the ones
// that say whether Herald got better or worse between commits.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { METRICS } from './report.mjs';
import { ROOT } from './servers.mjs';

function runFiles() {
  const files = [];
  for (const dir of [join(ROOT, 'docs/benchmarks'), join(ROOT, 'tmp/bench')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.endsWith('.json')) files.push(join(dir, name));
  }
  const dated = files
    .map((file) => {
      try {
        const run = JSON.parse(readFileSync(file, 'utf8'));
        // Capacity-only records have no per-scenario figures to compare.
        return run?.meta?.date && run.summary && run.meta.mode !== 'capacity'
          ? { file, date: run.meta.date, run }
          : undefined;
      } catch {
        return undefined;
      }
    })
    .filter(Boolean);
  return dated.sort(
    (a, b) => a.date.localeCompare(b.date) || statSync(a.file).mtimeMs - statSync(b.file).mtimeMs,
  );
}

const num = (v) =>
  v === undefined || v === null || !Number.isFinite(v)
    ? '–'
    : Math.abs(v) >= 100
      ? Math.round(v).toString()
      : v.toFixed(2);

/** Prints the comparison; returns the process exit code. */
export function compareRuns(previousArg) {
  const runs = runFiles();
  if (!runs.length) {
    process.stderr.write(
      'no benchmark JSON found in docs/benchmarks or tmp/bench: run `npm run bench` first\n',
    );
    return 1;
  }
  const latest = runs[runs.length - 1];
  let previous;
  if (previousArg) {
    const path = resolve(process.cwd(), previousArg);
    if (!existsSync(path)) {
      process.stderr.write(`${previousArg}: no such file\n`);
      return 1;
    }
    const run = JSON.parse(readFileSync(path, 'utf8'));
    if (!run?.summary) {
      process.stderr.write(`${previousArg}: not a benchmark result (no summary)\n`);
      return 1;
    }
    previous = { file: path, date: run.meta.date, run };
  } else {
    previous =
      [...runs]
        .reverse()
        .find((r) => r.file !== latest.file && r.run.meta.mode === latest.run.meta.mode) ??
      runs[runs.length - 2];
  }
  if (!previous || previous.file === latest.file) {
    process.stderr.write(
      `only one benchmark result (${relative(ROOT, latest.file)}); nothing to compare with\n`,
    );
    return 1;
  }
  const out = (line) => process.stdout.write(`${line}\n`);
  out(
    `latest:   ${relative(ROOT, latest.file)} (${latest.run.meta.commit}, ${latest.date}, ${latest.run.meta.mode})`,
  );
  out(
    `previous: ${relative(ROOT, previous.file)} (${previous.run.meta.commit}, ${previous.date}, ${previous.run.meta.mode})`,
  );
  if (latest.run.meta.mode !== previous.run.meta.mode)
    out(
      'note: different modes (sizes differ); compare ratios to the baseline, not absolute figures',
    );
  out(
    "vs-baseline: ratio to the baseline of the same repeat (the connect storm, broadcast and typed CPU: to the baseline measured beside Herald's, where the run has it); for a figure marked '÷ the same', to that target's own figure named there",
  );
  out('');
  const header = [
    'target',
    'figure',
    'previous',
    'latest',
    'latest/prev',
    'vs-baseline prev',
    'vs-baseline latest',
    'better?',
  ];
  const rows = [header];
  for (const id of Object.keys(latest.run.summary.figures)) {
    for (const metric of METRICS) {
      const now = latest.run.summary.figures[id]?.[metric.key];
      const before = previous.run.summary.figures[id]?.[metric.key];
      if (!now && !before) continue;
      const change = now && before && before.median ? now.median / before.median : undefined;
      const rNow = now?.ratio?.median;
      const rBefore = before?.ratio?.median;
      let verdict = '';
      if (rNow !== undefined && rBefore !== undefined && id !== 'd') {
        const improved = metric.better === 'higher' ? rNow > rBefore * 1.05 : rNow < rBefore * 0.95;
        const worse = metric.better === 'higher' ? rNow < rBefore * 0.95 : rNow > rBefore * 1.05;
        verdict = improved ? 'better' : worse ? 'WORSE' : 'same';
      }
      rows.push([
        id,
        `${metric.label}${metric.unit ? ` (${metric.unit})` : ''}`,
        num(before?.median),
        num(now?.median),
        change ? `${change.toFixed(2)}×` : '–',
        rBefore !== undefined ? `${rBefore.toFixed(2)}×` : '–',
        rNow !== undefined ? `${rNow.toFixed(2)}×` : '–',
        verdict,
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const row of rows)
    out(
      row
        .map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
        .join('  '),
    );
  return 0;
}
