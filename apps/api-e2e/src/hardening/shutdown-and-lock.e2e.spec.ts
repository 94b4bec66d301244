import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, waitFor, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { halfSentPost } from '../support/half-sent-post';

/** A PID no process on this host has: what a holder in another container looks like. */
function pidOfAnotherNamespace(): number {
  for (let pid = 4_194_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('shutdown and the embedded database directory', () => {
  const dirs: string[] = [];
  const apis: ApiProcess[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-e2e-lock-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const api of apis) await api.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a second SIGTERM during shutdown does not skip closing the database', async () => {
    const api = await startApi({ env: { DATABASE_URL: undefined, DATA_DIR: dataDir() } });
    apis.push(api);
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
      api.child.once('exit', (code, signal) => r({ code, signal })),
    );
    const post = halfSentPost(
      api.url,
      '/api/realtime/broadcast',
      JSON.stringify({ event: 'xp:gained', payload: { amount: 1, source: 'x', totalXp: 1 } }),
    );
    // The request may be cut (ECONNRESET) at any point of the shutdown: handle that at once.
    const answered = post.response.catch(() => 0);
    api.child.kill('SIGTERM');
    await waitFor(() => api.logs.some((l) => l.includes('Received SIGTERM')), 5_000, 'shutdown');
    api.child.kill('SIGTERM');
    post.finish();
    await answered;
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(api.logs.some((l) => l.includes('Database closed'))).toBe(true);
  }, 120_000);

  it('refuses a second process on the same DATA_DIR even when the holder is invisible to it (PID 1 in another container)', async () => {
    const dir = dataDir();
    const holder = await startApi({ env: { DATABASE_URL: undefined, DATA_DIR: dir } });
    apis.push(holder);
    // What the second container reads: a PID that is not alive in its own PID namespace.
    writeFileSync(join(dir, 'herald.lock'), String(pidOfAnotherNamespace()));

    await expect(
      startApi({ env: { DATABASE_URL: undefined, DATA_DIR: dir } }).then((second) => {
        apis.push(second);
        return 'started';
      }),
    ).rejects.toThrow(/DATA_DIR .* is in use/);

    // The lock dies with its holder, however it ends: no stale lock to clear by hand.
    await holder.kill();
    const next = await startApi({ env: { DATABASE_URL: undefined, DATA_DIR: dir } });
    apis.push(next);
    expect(await next.stop()).toBe(0);
  }, 180_000);
});
