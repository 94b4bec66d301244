import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/**
 * Reads the JSON reports every runner wrote to tmp/test-reports (Vitest's jest-style
 * format and Playwright's) and sums them. `failures` names every failed test with the
 * first line of its error, so a log cut down to its tail still says what failed.
 */
export function summarize(reportDir, root = process.cwd()) {
  const suites = [];
  const failures = [];
  if (!existsSync(reportDir)) return { suites, failures, passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(reportDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    const name = file.replace(/\.json$/, '');
    if (report.stats && 'expected' in report.stats) {
      // Playwright: expected = passed, unexpected = failed, flaky passed on retry.
      const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats;
      const errors = Array.isArray(report.errors) ? report.errors : [];
      suites.push({ name, passed: expected + flaky, failed: unexpected + errors.length, skipped });
      failures.push(...playwrightFailures(name, report.suites ?? []));
      for (const error of errors)
        failures.push({ suite: name, test: '(global setup)', message: firstLine(error.message) });
    } else {
      // Vitest's json reporter. A file that failed without a failing test (it did not
      // load, or a beforeAll hook threw and its tests were skipped) counts as one failure.
      const testResults = report.testResults ?? [];
      const failedFiles = testResults.filter(
        (r) =>
          r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
      );
      suites.push({
        name,
        passed: report.numPassedTests ?? 0,
        failed: (report.numFailedTests ?? 0) + failedFiles.length,
        skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      });
      for (const result of testResults) {
        const where = result.name ? relative(root, result.name) : undefined;
        for (const test of result.assertionResults ?? [])
          if (test.status === 'failed')
            failures.push({
              suite: name,
              file: where,
              test: test.fullName ?? test.title,
              message: firstLine(test.failureMessages?.[0]),
            });
        if (failedFiles.includes(result))
          failures.push({
            suite: name,
            file: where,
            test: '(file)',
            message: firstLine(result.message),
          });
      }
    }
  }
  const sum = (key) => suites.reduce((n, s) => n + s[key], 0);
  return {
    suites,
    failures,
    passed: sum('passed'),
    failed: sum('failed'),
    skipped: sum('skipped'),
  };
}

function playwrightFailures(suite, nodes, titles = []) {
  const found = [];
  for (const node of nodes) {
    // A file's own suite is titled with its path; only describe() titles name the test.
    const path = node.title && node.title !== node.file ? [...titles, node.title] : titles;
    for (const spec of node.specs ?? [])
      for (const test of spec.tests ?? [])
        if (test.status === 'unexpected') {
          const last = test.results?.at(-1);
          found.push({
            suite,
            file: spec.file ?? node.file,
            test: [...path, spec.title].join(' > '),
            message: firstLine(last?.error?.message ?? last?.errors?.[0]?.message),
          });
        }
    found.push(...playwrightFailures(suite, node.suites ?? [], path));
  }
  return found;
}

// Error messages carry ANSI colours and whole stacks; the first line says what broke.
function firstLine(text) {
  if (!text) return '';
  const line = stripVTControlCharacters(String(text))
    .split('\n')
    .find((l) => l.trim());
  return (line ?? '').trim().slice(0, 300);
}
