import {
  type ApiProcess,
  createScratchDatabase,
  deleteKeysWithPrefix,
  mintToken,
  redisPrefixFor,
  type ScratchDatabase,
  sleep,
  TEST_REDIS_URL,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { connectAuthenticated, type TestSocket } from '../support/clients';
import {
  presenceOf,
  recordArrivals,
  servicePost,
  startCluster,
  startPrivateRedis,
  stopAll,
  type PrivateRedis,
} from './cluster-support';

/** Documented bound: a dead process's heartbeat expires after 10 s (docs/scaling.md). */
const PRESENCE_TTL_MS = 10_000;

// One PostgreSQL database for the file (lighter than an embedded database per process).
let database: ScratchDatabase;
beforeAll(async () => {
  database = await createScratchDatabase(inject('runId'));
});
afterAll(async () => {
  await database?.drop();
});

let userCounter = 0;
const newUser = () => `failover-user-${process.pid}-${++userCounter}`;

async function health(
  api: ApiProcess,
): Promise<{ status: string; checks: Record<string, { status: string; detail?: string }> }> {
  return (await fetch(`${api.url}/api/health`)).json();
}

async function sendXp(api: ApiProcess, userId: string, totalXp: number) {
  const res = await servicePost(api, `/realtime/users/${userId}/events`, {
    event: 'xp:gained',
    payload: { amount: 1, source: 'failover', totalXp },
  });
  expect(res.status).toBeLessThan(300);
}

describe('a process killed without a goodbye (SIGKILL)', () => {
  const prefix = redisPrefixFor(inject('runId'), 'sigkill');
  let a: ApiProcess;
  let b: ApiProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    [a, b] = await startCluster(2, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      DATABASE_URL: database.url,
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stopAll([a, b]);
    await deleteKeysWithPrefix(prefix);
  });

  it('is forgotten by cluster presence within the heartbeat lifetime, while the survivor keeps delivering', async () => {
    const userId = newUser();
    const onA = await connectAuthenticated(a.url, { token: await mintToken(userId) });
    const onB = await connectAuthenticated(b.url, { token: await mintToken(userId) });
    sockets.push(onA, onB);
    expect(await presenceOf(a, userId)).toEqual({ online: true, sockets: 2 });

    const killedAt = Date.now();
    await b.kill();
    const forgotten = await waitFor(
      async () => (await presenceOf(a, userId)).sockets === 1,
      PRESENCE_TTL_MS + 5_000,
      'presence without the killed process',
    );
    console.log(
      `[cluster] sockets of a SIGKILLed process forgotten after ${Date.now() - killedAt} ms (poll ${forgotten} ms)`,
    );
    expect(await presenceOf(a, userId)).toEqual({ online: true, sockets: 1 });

    const got = recordArrivals(onA, 'xp:gained');
    await sendXp(a, userId, 1);
    await waitFor(() => got.length === 1, 5_000, 'delivery on the surviving process');
  }, 30_000);
});

describe('Redis stopped and restarted under a running cluster', () => {
  let redis: PrivateRedis;
  let a: ApiProcess;
  let b: ApiProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // A private, throw-away redis-server: the machine's shared one is never stopped.
    redis = await startPrivateRedis();
    [a, b] = await startCluster(2, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: 'herald-outage',
      DATABASE_URL: database.url,
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stopAll([a, b]);
    await redis?.kill();
  });

  it('keeps local delivery during the outage, reports degraded health, and heals by itself when Redis returns', async () => {
    const userId = newUser();
    const onA = await connectAuthenticated(a.url, { token: await mintToken(userId) });
    const onB = await connectAuthenticated(b.url, { token: await mintToken(userId) });
    sockets.push(onA, onB);
    const gotA = recordArrivals(onA, 'xp:gained');
    const gotB = recordArrivals(onB, 'xp:gained');

    // Before: cross-process delivery works.
    await sendXp(a, userId, 1);
    await waitFor(
      () => gotA.length === 1 && gotB.length === 1,
      5_000,
      'delivery before the outage',
    );
    expect((await health(a)).checks['redis']?.status).toBe('up');

    await redis.kill();
    await waitFor(
      async () => (await health(a)).status === 'degraded',
      10_000,
      'degraded health on A',
    );
    const during = await health(b);
    expect(during.status).toBe('degraded');
    expect(during.checks['redis']).toMatchObject({ status: 'down' });

    // During: each process still serves its own sockets, at once; the sockets stay connected.
    const started = Date.now();
    await sendXp(a, userId, 2);
    await waitFor(
      () => gotA.some((x) => x.payload.totalXp === 2),
      3_000,
      'local delivery on A during the outage',
    );
    await sendXp(b, userId, 3);
    await waitFor(
      () => gotB.some((x) => x.payload.totalXp === 3),
      3_000,
      'local delivery on B during the outage',
    );
    console.log(
      `[cluster] local delivery during the Redis outage took ${Date.now() - started} ms for two events`,
    );
    expect(onA.connected && onB.connected).toBe(true);
    // Presence degrades to what each process knows for certain: its own sockets.
    expect(await presenceOf(a, userId)).toEqual({ online: true, sockets: 1 });

    await redis.start();
    const healed = await waitFor(
      async () => (await health(a)).status === 'ok' && (await health(b)).status === 'ok',
      15_000,
      'health back to ok',
    );
    console.log(`[cluster] healthy again ${healed} ms after Redis restarted`);

    // After: cross-process delivery resumes both ways (stream readers resumed).
    gotA.length = 0;
    gotB.length = 0;
    await waitFor(
      async () => {
        await sendXp(a, userId, 4);
        await sleep(300);
        return gotB.some((x) => x.payload.totalXp === 4);
      },
      10_000,
      'cross-process delivery A → B after the outage',
    );
    await sendXp(b, userId, 5);
    await waitFor(
      () => gotA.some((x) => x.payload.totalXp === 5),
      5_000,
      'cross-process delivery B → A',
    );

    // Presence was rebuilt in the empty Redis from each process's own sockets.
    await waitFor(
      async () => (await presenceOf(b, userId)).sockets === 2,
      10_000,
      'presence rebuilt',
    );

    // The pub/sub subscribers resubscribed: a cluster-wide disconnect reaches both processes.
    const res = await servicePost(a, `/realtime/users/${userId}/disconnect`, {});
    expect(res.body).toEqual({
      disconnected: 2,
      disconnectedHere: 1,
      peersConfirmed: 1,
      peersUnreachable: 0,
    });
    await waitFor(() => !onA.connected && !onB.connected, 5_000, 'both sockets disconnected');
  }, 60_000);
});
