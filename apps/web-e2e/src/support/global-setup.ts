import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_LOG, startApi, writeState } from './api-server';

/** One API for the whole run, with its embedded database in a fresh temp directory. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-web-e2e-'));
  writeState({ dataDir, pid: null });
  writeFileSync(API_LOG, '');
  await startApi();
}
