import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads the JSON reports every runner wrote to tmp/test-reports (Vitest's jest-style
 * format and Playwright's) and sums them.
 */
export function summarize(reportDir) {
  const suites = [];
  if (!existsSync(reportDir)) return { suites, passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(reportDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8'));
    const name = file.replace(/\.json$/, '');
    if (report.stats && 'expected' in report.stats) {
      // Playwright: expected = passed, unexpected = failed, flaky passed on retry.
      const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = report.stats;
      const errors = Array.isArray(report.errors) ? report.errors.length : 0;
      suites.push({ name, passed: expected + flaky, failed: unexpected + errors, skipped });
    } else {
      // Vitest's json reporter. A file that failed without a failing test (it did not
      // load, or a beforeAll hook threw and its tests were skipped) counts as one failure.
      const failedFiles = (report.testResults ?? []).filter(
        (r) =>
          r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
      ).length;
      suites.push({
        name,
        passed: report.numPassedTests ?? 0,
        failed: (report.numFailedTests ?? 0) + failedFiles,
        skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      });
    }
  }
  const sum = (key) => suites.reduce((n, s) => n + s[key], 0);
  return { suites, passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') };
}
