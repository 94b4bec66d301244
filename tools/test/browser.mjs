import { existsSync } from 'node:fs';

/**
 * Which Chromium the browser tests drive: CHROMIUM_PATH when set, else Playwright's own
 * build where one was installed, else Debian's /usr/bin/chromium.
 */
export async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const { chromium } = await import('@playwright/test');
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright without a downloaded browser throws here; fall through to the system one.
  }
  for (const candidate of [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
