import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'herald.lock';
const RELEASE_RETRIES = 10;
const RELEASE_RETRY_MS = 100;

/**
 * PGlite has no locking of its own: two processes opening one data directory would
 * corrupt it. So the first process takes an exclusive lock on `DATA_DIR/herald.lock` and
 * every other one is refused with a clear message. Returns the release function.
 *
 * Why flock(2) rather than a PID file: two containers that share a volume both run as
 * PID 1 and cannot see each other's processes, so "is the PID in the file alive?" says
 * yes-or-no about the wrong process. A flock is held by an open file description in the
 * kernel: any process on the same host (containers included) and NFSv4 clients see it,
 * and the kernel releases it when the holder dies, crash and SIGKILL included, so no stale
 * lock ever needs taking over. Node has no flock API, so a `flock(1)` child process holds
 * it for us; its stdin is a pipe from this process, so it exits (and the lock goes) as soon
 * as this process is gone, however it ends.
 *
 * Where `flock(1)` is missing (e.g. macOS), the PID check is the fallback, with that
 * limitation stated in the error.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  const file = join(dataDir, LOCK_FILE);
  let holder = await holdFlock(file);
  // A holder that just exited (a restart) leaves its flock child a moment to notice.
  for (let attempt = 1; holder === 'taken' && attempt <= RELEASE_RETRIES; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS));
    holder = await holdFlock(file);
  }
  if (holder === 'unavailable') return lockWithPidFile(dataDir, file);
  if (holder === 'taken') {
    throw new Error(
      `DATA_DIR ${dataDir} is in use by process ${describeHolder(file)}: the embedded database ` +
        'allows one process per data directory (give each process its own DATA_DIR, or use ' +
        'DATABASE_URL=postgres://… to run several)',
    );
  }
  // For the error message of the next process only; the lock is the flock, not this text.
  writeFileSync(file, `${process.pid}@${hostname()}`);
  return holder;
}

/** Resolves with the release function, `taken`, or `unavailable` (no flock(1) here). */
function holdFlock(file: string): Promise<(() => void) | 'taken' | 'unavailable'> {
  return new Promise((resolve) => {
    // -n: refuse at once instead of waiting. `cat` blocks on stdin until it closes.
    const child = spawn('flock', ['-n', file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let settled = false;
    child.once('error', () => {
      settled = true;
      resolve('unavailable');
    });
    child.once('exit', () => {
      if (!settled) resolve('taken');
      settled = true;
    });
    child.stdout.once('data', () => {
      settled = true;
      // Held for the life of this process, without keeping its event loop alive.
      child.unref();
      child.stdout.destroy();
      (child.stdin as unknown as { unref(): void }).unref();
      resolve(() => {
        child.stdin.end();
      });
    });
  });
}

/** `pid@host` as the holder wrote it, for the message only. */
function describeHolder(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Fallback without flock(1): a PID file, good for processes of one PID namespace only. */
function lockWithPidFile(dataDir: string, file: string): () => void {
  const mine = String(process.pid);
  try {
    writeFileSync(file, mine, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder}: the embedded database allows one process per ` +
          'data directory (give each process its own DATA_DIR, or use DATABASE_URL=postgres://… to run several)',
      );
    }
    writeFileSync(file, mine);
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === mine) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means "in use".
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
