import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from './summarize.mjs';

function reports(files) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-summary-'));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(body));
  return dir;
}

describe('summarize', () => {
  it('sums Vitest and Playwright reports', () => {
    const dir = reports({
      unit: { numPassedTests: 5, numFailedTests: 1, numPendingTests: 2, testResults: [] },
      browser: { stats: { expected: 3, unexpected: 1, flaky: 1, skipped: 0 }, errors: [] },
    });
    expect(summarize(dir)).toMatchObject({ passed: 9, failed: 2, skipped: 2 });
  });

  it('counts a file whose beforeAll failed (all tests skipped) as a failure', () => {
    const dir = reports({
      tools: {
        numPassedTests: 0,
        numFailedTests: 0,
        numPendingTests: 2,
        testResults: [
          { status: 'failed', assertionResults: [{ status: 'skipped' }, { status: 'skipped' }] },
        ],
      },
    });
    expect(summarize(dir)).toMatchObject({ passed: 0, failed: 1, skipped: 2 });
  });

  it('counts a Playwright global setup error as a failure', () => {
    const dir = reports({
      browser: {
        stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
        errors: [{ message: 'x' }],
      },
    });
    expect(summarize(dir).failed).toBe(1);
  });
});
