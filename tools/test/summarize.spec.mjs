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

describe('summarize names what failed', () => {
  it('lists a failed Vitest test with its file and the first line of its error', () => {
    const dir = reports({
      api: {
        numPassedTests: 1,
        numFailedTests: 1,
        testResults: [
          {
            name: '/repo/apps/api/src/a.spec.ts',
            status: 'failed',
            assertionResults: [
              { status: 'passed', fullName: 'a works' },
              {
                status: 'failed',
                fullName: 'a fails loudly',
                failureMessages: [
                  '\u001b[31mAssertionError: expected 1 to be 2\u001b[39m\n    at x',
                ],
              },
            ],
          },
        ],
      },
    });
    expect(summarize(dir, '/repo').failures).toEqual([
      {
        suite: 'api',
        file: 'apps/api/src/a.spec.ts',
        test: 'a fails loudly',
        message: 'AssertionError: expected 1 to be 2',
      },
    ]);
  });

  it('lists a Vitest file that failed before its tests ran', () => {
    const dir = reports({
      tools: {
        testResults: [
          {
            name: '/repo/tools/b.spec.mjs',
            status: 'failed',
            message: 'Error: hook timed out',
            assertionResults: [{ status: 'skipped', fullName: 'b' }],
          },
        ],
      },
    });
    expect(summarize(dir, '/repo').failures).toEqual([
      {
        suite: 'tools',
        file: 'tools/b.spec.mjs',
        test: '(file)',
        message: 'Error: hook timed out',
      },
    ]);
  });

  it('lists a failed Playwright test under its describe titles, and a global error', () => {
    const dir = reports({
      browser: {
        stats: { expected: 1, unexpected: 1, flaky: 0, skipped: 0 },
        errors: [{ message: 'webServer exited early\nmore' }],
        suites: [
          {
            title: 'bell.spec.ts',
            file: 'bell.spec.ts',
            specs: [],
            suites: [
              {
                title: 'NotificationBell',
                specs: [
                  { title: 'counts', file: 'bell.spec.ts', tests: [{ status: 'expected' }] },
                  {
                    title: 'marks read',
                    file: 'bell.spec.ts',
                    tests: [
                      { status: 'unexpected', results: [{ error: { message: 'Timeout 5000ms' } }] },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(summarize(dir).failures).toEqual([
      {
        suite: 'browser',
        file: 'bell.spec.ts',
        test: 'NotificationBell > marks read',
        message: 'Timeout 5000ms',
      },
      { suite: 'browser', test: '(global setup)', message: 'webServer exited early' },
    ]);
  });
});
