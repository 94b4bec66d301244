import Redis from 'ioredis';

/** The machine's Redis; override with HERALD_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.HERALD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this run (and `label`), so runs sharing one Redis never collide. */
export function redisPrefixFor(runId, label = 'x') {
  return `herald-test-${runId}-${label}`;
}

/** Removes every key that starts with `prefix` (SCAN, never KEYS); resolves how many. */
export async function deleteKeysWithPrefix(prefix, url = TEST_REDIS_URL) {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
  });
  await redis.connect();
  let deleted = 0;
  try {
    const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
    for await (const keys of stream) if (keys.length) deleted += await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Deletes every key of `runId`, whichever file or scenario created it. */
export function deleteRunKeys(runId, url = TEST_REDIS_URL) {
  return deleteKeysWithPrefix(`herald-test-${runId}-`, url);
}
