import { resolve } from 'node:path';

/**
 * Every test runner also writes a JSON report to tmp/test-reports, so that
 * `npm test` can print one "N passed, N failed" line summed over all of them.
 */
export const REPORT_DIR = resolve(import.meta.dirname, '../../tmp/test-reports');

export function reportersFor(name) {
  return ['default', ['json', { outputFile: resolve(REPORT_DIR, `${name}.json`) }]];
}
