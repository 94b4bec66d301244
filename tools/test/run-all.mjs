#!/usr/bin/env node
// `npm test`: the whole suite — lint, type-check, unit tests, the API end-to-end project
// and the Playwright project — then one line "N passed, N failed" summed over every
// runner. Every step runs even when an earlier one failed, so one run shows everything;
// the exit code is non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { summarize } from './summarize.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const REPORT_DIR = resolve(ROOT, 'tmp/test-reports');
const env = {
  ...process.env,
  NX_NO_CLOUD: 'true',
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
};
const nx = (...args) => ['npx', ['nx', ...args, '--outputStyle=static']];

const steps = [
  // Lint and type-check may come from Nx's cache: their inputs fully decide their result.
  { name: 'lint + typecheck', cmd: nx('run-many', '-t', 'lint', 'typecheck') },
  { name: 'format', cmd: ['npx', ['prettier', '--check', '.', '--log-level', 'warn']] },
  { name: 'migrations', cmd: ['node', ['tools/checks/migrations-up-to-date.mjs']] },
  // Tests always run for real, so their reports exist and flaky infrastructure shows up.
  { name: 'unit tests', cmd: nx('run-many', '-t', 'test', '--skip-nx-cache') },
  { name: 'api e2e', cmd: nx('run', 'api-e2e:e2e', '--skip-nx-cache') },
  { name: 'web e2e (Playwright)', cmd: nx('run', 'web-e2e:e2e', '--skip-nx-cache') },
];

rmSync(REPORT_DIR, { recursive: true, force: true });
const results = [];
for (const step of steps) {
  const started = Date.now();
  console.log(`\n=== ${step.name} ===`);
  const [command, args] = step.cmd;
  const run = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  const seconds = Math.round((Date.now() - started) / 1000);
  results.push({ ...step, ok: run.status === 0, seconds });
  console.log(
    `=== ${step.name}: ${run.status === 0 ? 'ok' : `FAILED (exit ${run.status ?? run.signal})`} in ${seconds}s ===`,
  );
}

const summary = summarize(REPORT_DIR, ROOT);
console.log('\nTest summary');
for (const s of summary.suites) {
  console.log(
    `  ${s.name.padEnd(18)} ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`,
  );
}
// Lint and type-check failures are not tests but still fail the run: count each once, and
// count a test step that failed without a failing test (a crash, a missing report) once.
const CHECKS = ['lint + typecheck', 'format', 'migrations'];
const nonTestFailures = results.filter((r) => !r.ok && CHECKS.includes(r.name)).length;
const crashedTestSteps =
  summary.failed === 0 ? results.filter((r) => !r.ok && !CHECKS.includes(r.name)).length : 0;
if (summary.failures.length > 0) {
  console.log('\nFailed tests');
  for (const f of summary.failures) {
    console.log(`  ${f.suite}${f.file ? ` ${f.file}` : ''}: ${f.test}`);
    if (f.message) console.log(`      ${f.message}`);
  }
  console.log('');
}
for (const r of results)
  console.log(`  step ${r.name.padEnd(22)} ${r.ok ? 'ok' : 'FAILED'} (${r.seconds}s)`);
const failed = summary.failed + nonTestFailures + crashedTestSteps;
console.log(
  `\n${summary.passed} passed, ${failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}`,
);
process.exit(results.every((r) => r.ok) && failed === 0 ? 0 : 1);
