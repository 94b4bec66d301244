import { Redis } from 'ioredis';
import { clusterKeys } from '../cluster/redis-keys';
import { RedisPresenceStore } from './redis-presence.store';
import {
  deleteKeysWithPrefix,
  newRunId,
  redisPrefixFor,
  TEST_REDIS_URL,
  waitFor,
} from '../../../../../tools/testing/index.mjs';

const FAST = { heartbeatIntervalMs: 100, heartbeatTtlMs: 400 };

/** Every key of a prefix (SCAN, never KEYS, on a shared Redis). */
async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
    string[]
  >)
    found.push(...batch);
  return found;
}

describe('RedisPresenceStore (real Redis)', () => {
  let admin: Redis;
  let prefix: string;
  const connections: Redis[] = [];
  const stores: RedisPresenceStore[] = [];

  /** A store on its own connection, as each API process has. */
  async function processStore(options: Partial<typeof FAST> = FAST) {
    const redis = new Redis(TEST_REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    redis.on('error', () => undefined);
    await redis.connect();
    connections.push(redis);
    const store = new RedisPresenceStore(redis, { keyPrefix: prefix, ...options });
    await store.start();
    stores.push(store);
    return { store, redis };
  }

  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL);
  });
  beforeEach(() => {
    prefix = redisPrefixFor(newRunId(), 'unit-presence');
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const redis of connections.splice(0)) redis.disconnect();
    await deleteKeysWithPrefix(prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('counts a user’s sockets across every process sharing the Redis', async () => {
    const one = await processStore();
    const two = await processStore();
    await one.store.add('ana', 'sock-a1');
    await one.store.add('ana', 'sock-a2');
    await two.store.add('ana', 'sock-b1');
    await two.store.add('bruno', 'sock-b2');
    expect(await one.store.countSockets('ana')).toBe(3);
    expect(await two.store.countSockets('ana')).toBe(3);
    expect(await one.store.countSockets('bruno')).toBe(1);
    expect(await one.store.countSockets('nobody')).toBe(0);

    await two.store.remove('ana', 'sock-b1');
    expect(await one.store.countSockets('ana')).toBe(2);
  });

  it('counts the sockets of many users in one call, as countSockets does one by one', async () => {
    const one = await processStore();
    const two = await processStore();
    await one.store.add('ana', 'sock-a1');
    await two.store.add('ana', 'sock-b1');
    await two.store.add('bruno', 'sock-b2');
    const counts = await one.store.countSocketsByUser(['ana', 'nobody', 'bruno', 'ana']);
    expect([...counts]).toEqual([
      ['ana', 2],
      ['nobody', 0],
      ['bruno', 1],
    ]);
    expect(await one.store.countSocketsByUser([])).toEqual(new Map());
  });

  it('treats repeated add and remove as no-ops, and ignores removing another user’s socket', async () => {
    const { store } = await processStore();
    await store.add('ana', 'sock-1');
    await store.add('ana', 'sock-1');
    expect(await store.countSockets('ana')).toBe(1);
    await store.remove('bruno', 'sock-1');
    expect(await store.countSockets('ana')).toBe(1);
    await store.remove('ana', 'sock-1');
    await store.remove('ana', 'sock-1');
    expect(await store.countSockets('ana')).toBe(0);
    expect(store.localSocketCount).toBe(0);
  });

  it('stops counting a process that died without a goodbye once its heartbeat expires, then reaps its entries', async () => {
    const survivor = await processStore();
    const doomed = await processStore();
    await survivor.store.add('ana', 'alive-1');
    await doomed.store.add('ana', 'doomed-1');
    await doomed.store.add('carla', 'doomed-2');
    expect(await survivor.store.countSockets('ana')).toBe(2);

    // "SIGKILL": the connection vanishes, nothing is cleaned up, the heartbeat stops.
    doomed.redis.disconnect();
    const killedAt = Date.now();
    await waitFor(
      async () => (await survivor.store.countSockets('ana')) === 1,
      2_000,
      'dead process forgotten',
    );
    expect(Date.now() - killedAt).toBeLessThan(
      FAST.heartbeatTtlMs + 2 * FAST.heartbeatIntervalMs + 500,
    );
    expect(await survivor.store.countSockets('carla')).toBe(0);

    const keys = clusterKeys(prefix);
    await waitFor(
      async () => (await admin.sismember(keys.presenceInstances, doomed.store.instanceId)) === 0,
      2_000,
      'dead process reaped',
    );
    expect(await admin.smembers(keys.presenceUser('ana'))).toEqual([
      `${survivor.store.instanceId}:alive-1`,
    ]);
    expect(
      await admin.exists(
        keys.presenceUser('carla'),
        keys.presenceInstanceSockets(doomed.store.instanceId),
      ),
    ).toBe(0);
  });

  it('removes its own entries at once on close', async () => {
    const watcher = await processStore();
    const leaving = await processStore();
    await leaving.store.add('ana', 'sock-1');
    expect(await watcher.store.countSockets('ana')).toBe(1);
    await leaving.store.close();
    expect(await watcher.store.countSockets('ana')).toBe(0);
    expect(
      await admin.exists(clusterKeys(prefix).presenceHeartbeat(leaving.store.instanceId)),
    ).toBe(0);
  });

  it('answers for its own sockets while Redis is unreachable and rewrites them when it returns', async () => {
    const other = await processStore();
    const { store, redis } = await processStore();
    await store.add('ana', 'sock-1');
    await other.store.add('ana', 'sock-2');

    redis.disconnect();
    // Neither throws: the gateway's connect and disconnect paths must not fail with Redis.
    await store.add('ana', 'sock-3');
    await store.remove('ana', 'sock-1');
    await store.add('diego', 'sock-4');
    expect(await store.countSockets('ana')).toBe(1); // only what this process knows for sure
    expect(await store.countSockets('diego')).toBe(1);
    expect([...(await store.countSocketsByUser(['ana', 'diego', 'bruno']))]).toEqual([
      ['ana', 1],
      ['diego', 1],
      ['bruno', 0],
    ]);

    await waitFor(async () => redis.status === 'end', 2_000, 'connection closed');
    await redis.connect();
    // The next heartbeat sees the lost writes and rewrites this process's entries.
    await waitFor(
      async () => (await other.store.countSockets('diego')) === 1,
      2_000,
      'rewrite after reconnect',
    );
    expect(await other.store.countSockets('ana')).toBe(2); // sock-3 here + sock-2 there; sock-1 gone
  });

  it('rebuilds presence after Redis lost every key (a restart without persistence)', async () => {
    const { store } = await processStore();
    await store.add('ana', 'sock-1');
    await store.add('bruno', 'sock-2');
    await admin.unlink(...(await keysOf(admin, prefix)));
    expect(await store.countSockets('ana')).toBe(0);
    await waitFor(async () => (await store.countSockets('ana')) === 1, 2_000, 'presence rebuilt');
    expect(await store.countSockets('bruno')).toBe(1);
  });

  it('refuses options that could not work', () => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    expect(() => new RedisPresenceStore(redis, { keyPrefix: '' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(
      () =>
        new RedisPresenceStore(redis, {
          keyPrefix: 'p',
          heartbeatIntervalMs: 5_000,
          heartbeatTtlMs: 1_000,
        }),
    ).toThrow(/heartbeatTtlMs must be longer/);
    expect(() => new RedisPresenceStore(redis, { keyPrefix: 'p', instanceId: 'a:b' })).toThrow(
      /instanceId/,
    );
    redis.disconnect();
  });

  it('refuses a socket id that would break its encoding', async () => {
    const { store } = await processStore();
    await expect(store.add('ana', 'bad:id')).rejects.toThrow(/invalid socket id/);
    expect(await store.countSockets('ana')).toBe(0);
  });

  it('lists the users of every process in userId order, keyset-paged, with live socket counts', async () => {
    const a = await processStore();
    const b = await processStore();
    await a.store.add('carol', 's1');
    await b.store.add('alice', 's2');
    await a.store.add('alice', 's3');
    await b.store.add('bob', 's4');
    await b.store.add('dave', 's5');
    await b.store.remove('dave', 's5');

    const first = await a.store.listUsers({ limit: 2 });
    expect(first).toEqual({
      users: [
        { userId: 'alice', sockets: 2 },
        { userId: 'bob', sockets: 1 },
      ],
      next: 'bob',
    });
    expect(await b.store.listUsers({ limit: 2, after: first.next })).toEqual({
      users: [{ userId: 'carol', sockets: 1 }],
    });
    // dave left with his last socket: not in the index any more.
    expect(await admin.zrange(clusterKeys(prefix).presenceUsers, 0, -1)).toEqual([
      'alice',
      'bob',
      'carol',
    ]);
  });

  it('drops the users of a dead process from the list, at once and from the index when reaped', async () => {
    const survivor = await processStore();
    const doomed = await processStore();
    await survivor.store.add('kept', 's1');
    await doomed.store.add('gone', 's2');
    doomed.redis.disconnect();
    await waitFor(
      async () => (await survivor.store.listUsers({ limit: 10 })).users.length === 1,
      FAST.heartbeatTtlMs * 10,
      'dead process left the list',
    );
    expect((await survivor.store.listUsers({ limit: 10 })).users).toEqual([
      { userId: 'kept', sockets: 1 },
    ]);
    await waitFor(
      async () => (await admin.zrange(clusterKeys(prefix).presenceUsers, 0, -1)).length === 1,
      FAST.heartbeatTtlMs * 10,
      'dead process reaped from the index',
    );
  });
});
