#!/usr/bin/env node
// Makes sure a Chromium exists for the Playwright suite. Playwright cannot download its
// own browser on machines without internet access, so on Debian/Ubuntu (as root) this
// installs the distribution's chromium package; elsewhere it explains what to do.
import { execFileSync } from 'node:child_process';
import { findChromium } from './browser.mjs';

const found = await findChromium();
if (found) {
  console.log(`browser: ${found}`);
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasApt = false;
try {
  execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
  hasApt = true;
} catch {
  hasApt = false;
}
if (isRoot && hasApt) {
  console.log('browser: none found; installing Debian chromium with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
  const installed = await findChromium();
  if (installed) {
    console.log(`browser: ${installed}`);
    process.exit(0);
  }
}
console.error(
  'No Chromium found for the browser tests. Install one (Debian: apt-get install chromium; ' +
    'elsewhere: npx playwright install chromium) or set CHROMIUM_PATH.',
);
process.exit(1);
