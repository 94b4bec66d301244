import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_LOG, startApi, stopApi, writeState } from './api-server';

/** One API for the whole run, with its embedded database in a fresh temp directory. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-web-e2e-'));
  writeState({ dataDir, pid: null });
  writeFileSync(API_LOG, '');
  try {
    await startApi();
  } catch (error) {
    // Playwright skips the global teardown when the setup fails: clean up here.
    await stopApi();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
