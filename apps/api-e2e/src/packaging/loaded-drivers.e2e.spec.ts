import {
  createScratchDatabase,
  startApi,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

const REPORTER = resolve(import.meta.dirname, '../support/report-loaded-packages.cjs');

/** Starts the built API, stops it, and answers the npm packages its main thread loaded. */
async function packagesLoadedBy(env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-loaded-'));
  try {
    const file = join(dir, 'packages.txt');
    const api = await startApi({
      execArgv: ['--require', REPORTER],
      env: { ...env, HERALD_LOADED_PACKAGES_FILE: file },
    });
    await api.stop();
    return readFileSync(file, 'utf8').split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('drivers a process does not use are never loaded', () => {
  let database: ScratchDatabase | undefined;

  afterAll(async () => {
    await database?.drop();
  });

  it('an API on the embedded database loads neither node-postgres, nodemailer nor jwks-rsa', async () => {
    const loaded = await packagesLoadedBy({ DATABASE_URL: 'memory://' });
    expect(loaded).toContain('@electric-sql/pglite');
    expect(loaded).toContain('socket.io');
    expect(loaded).not.toContain('pg');
    expect(loaded).not.toContain('nodemailer');
    expect(loaded).not.toContain('jwks-rsa');
  });

  it("an API on PostgreSQL loads node-postgres and none of PGlite's modules", async () => {
    database = await createScratchDatabase(inject('runId'), 'drivers');
    const loaded = await packagesLoadedBy({ DATABASE_URL: database.url });
    expect(loaded).toContain('pg');
    expect(loaded).not.toContain('@electric-sql/pglite');
  });
});
