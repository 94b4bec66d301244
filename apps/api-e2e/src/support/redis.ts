import Redis from 'ioredis';

/** The machine's Redis; override with HERALD_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env['HERALD_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix unique to this run, so runs sharing one Redis never collide. */
export function redisPrefixFor(runId: string, label = 'x'): string {
  return `herald-e2e-${runId}-${label}`;
}

/** Removes every key that starts with `prefix` (SCAN, never KEYS). */
export async function deleteKeysWithPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length) deleted += await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Deletes every key of this run, whatever file created it. */
export function deleteRunKeys(runId: string): Promise<number> {
  return deleteKeysWithPrefix(`herald-e2e-${runId}-`);
}
