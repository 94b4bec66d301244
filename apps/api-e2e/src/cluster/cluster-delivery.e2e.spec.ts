import {
  type ApiProcess,
  mintToken,
  sleep,
  TEST_REDIS_URL,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import type { Notification } from '@herald/ws-contracts';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { connectAuthenticated, nextEvent } from '../support/clients';
import {
  presenceOf,
  recordArrivals,
  servicePost,
  startCluster,
  useTwoProcessCluster,
} from './cluster-support';
import { buildEmitterBundle, runEmitterScript } from './emitter-script';

/**
 * Two API processes on the machine's Redis (one key prefix for this file) and one shared
 * PostgreSQL database behave as one server.
 */
describe('cluster of two API processes on Redis', () => {
  const runId = inject('runId');
  const cluster = useTwoProcessCluster(runId, 'delivery');
  const sockets = cluster.sockets;
  let a: ApiProcess;
  let b: ApiProcess;
  let userCounter = 0;
  const newUser = () => `cluster-user-${process.pid}-${++userCounter}`;

  async function device(api: ApiProcess, userId: string, transports?: ('websocket' | 'polling')[]) {
    const socket = await connectAuthenticated(api.url, {
      token: await mintToken(userId),
      transports,
    });
    sockets.push(socket);
    return socket;
  }

  beforeAll(() => {
    ({ a, b } = cluster);
  });

  it('logs the Redis Streams adapter at start-up on every process and reports it in health', async () => {
    for (const api of [a, b]) {
      expect(
        api.logs.some(
          (l) => l.includes('Socket.IO adapter active') && l.includes('"adapter":"redis-streams"'),
        ),
      ).toBe(true);
      const health = await (await fetch(`${api.url}/api/health`)).json();
      expect(JSON.stringify(health.checks)).toContain('redis-streams');
    }
  });

  it('delivers an event posted to one process to the user’s devices on both processes, exactly once each', async () => {
    const userId = newUser();
    const onA = await device(a, userId);
    const onB = await device(b, userId);
    const gotA = recordArrivals(onA, 'xp:gained');
    const gotB = recordArrivals(onB, 'xp:gained');

    const res = await servicePost(a, `/realtime/users/${userId}/events`, {
      event: 'xp:gained',
      payload: { amount: 5, source: 'cluster-test', totalXp: 5 },
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(() => gotA.length > 0 && gotB.length > 0, 5_000, 'xp:gained on both devices');
    await sleep(300);
    expect(gotA.map((x) => x.payload)).toEqual([{ amount: 5, source: 'cluster-test', totalXp: 5 }]);
    expect(gotB.map((x) => x.payload)).toEqual([{ amount: 5, source: 'cluster-test', totalXp: 5 }]);
  });

  it('pushes a notification posted on either process to every device once, and syncs read state across processes', async () => {
    const userId = newUser();
    const onA = await device(a, userId);
    const onB = await device(b, userId);
    const newOnA = recordArrivals(onA, 'notification:new');
    const newOnB = recordArrivals(onB, 'notification:new');

    const created = await servicePost<Notification>(b, '/notifications', {
      userId,
      title: 'Hello',
      message: 'from B',
    });
    expect(created.status).toBe(201);
    await waitFor(
      () => newOnA.length > 0 && newOnB.length > 0,
      5_000,
      'notification:new on both devices',
    );
    await sleep(300);
    expect(newOnA).toHaveLength(1);
    expect(newOnB).toHaveLength(1);
    expect(newOnA[0].payload.notification.id).toBe(created.body.id);

    // Marked read on the device connected to A: the device on B hears it.
    const readOnB = nextEvent(onB, 'notification:read');
    const countOnB = recordArrivals(onB, 'notification:unread_count');
    const ack = await onA
      .timeout(5_000)
      .emitWithAck('notification:mark_read', { notificationId: created.body.id });
    expect(ack).toMatchObject({ ok: true, notificationId: created.body.id, unreadCount: 0 });
    expect(await readOnB).toMatchObject({ notificationId: created.body.id, success: true });
    await waitFor(() => countOnB.length > 0, 5_000, 'unread_count on B');
    expect(countOnB.at(-1)?.payload).toEqual({ unreadCount: 0 });
  });

  it('delivers a broadcast to every socket of every process exactly once', async () => {
    const first = await device(a, newUser());
    const second = await device(b, newUser());
    const leaderboard = [{ userId: 'someone', xp: 10, rank: 'Bronze', position: 1 }];
    const gotFirst = recordArrivals(first, 'leaderboard:updated');
    const gotSecond = recordArrivals(second, 'leaderboard:updated');

    const res = await servicePost(b, '/realtime/broadcast', {
      event: 'leaderboard:updated',
      payload: { leaderboard },
    });
    expect(res.status).toBeLessThan(300);
    await waitFor(
      () => gotFirst.length > 0 && gotSecond.length > 0,
      5_000,
      'broadcast on both processes',
    );
    await sleep(300);
    expect(gotFirst).toHaveLength(1);
    expect(gotSecond).toHaveLength(1);
    expect(gotSecond[0].payload).toMatchObject({
      leaderboard: [{ userId: 'someone', position: 1 }],
    });
  });

  it('answers presence for the whole cluster from either process', async () => {
    const userId = newUser();
    expect(await presenceOf(a, userId)).toEqual({ online: false, sockets: 0 });
    const onA = await device(a, userId);
    const onB = await device(b, userId);
    expect(await presenceOf(a, userId)).toEqual({ online: true, sockets: 2 });
    expect(await presenceOf(b, userId)).toEqual({ online: true, sockets: 2 });

    onB.close();
    await waitFor(
      async () => (await presenceOf(a, userId)).sockets === 1,
      5_000,
      'presence after one device left',
    );
    onA.close();
    await waitFor(
      async () => !(await presenceOf(b, userId)).online,
      5_000,
      'presence after both devices left',
    );
  });

  it('disconnects a user’s sockets on every process and answers how many', async () => {
    const userId = newUser();
    const onA = await device(a, userId);
    const onB = await device(b, userId);
    const closedA = new Promise((r) => onA.once('disconnect', r));
    const closedB = new Promise((r) => onB.once('disconnect', r));
    const res = await servicePost(a, `/realtime/users/${userId}/disconnect`, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      disconnected: 2,
      disconnectedHere: 1,
      peersConfirmed: 1,
      peersUnreachable: 0,
    });
    await Promise.all([closedA, closedB]);
  });

  it('lets a plain Node script publish through RealtimeEmitter to a browser-less client on each process', async () => {
    const userId = newUser();
    const onA = await device(a, userId);
    const onB = await device(b, userId, ['polling']);
    const gotA = recordArrivals(onA, 'achievement:unlocked');
    const gotB = recordArrivals(onB, 'achievement:unlocked');
    const bundle = await buildEmitterBundle(runId);
    onTestFinished(() => rmSync(dirname(bundle), { recursive: true, force: true }));

    const ok = await runEmitterScript(bundle, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: cluster.prefix,
      USER_ID: userId,
      EVENT: 'achievement:unlocked',
      PAYLOAD: JSON.stringify({ achievementId: 'first-steps', title: 'First steps' }),
    });
    expect(ok.code, ok.output).toBe(0);
    await waitFor(() => gotA.length > 0 && gotB.length > 0, 5_000, 'emitter event on both devices');
    await sleep(300);
    expect(gotA.map((x) => x.payload)).toEqual([
      { achievementId: 'first-steps', title: 'First steps' },
    ]);
    expect(gotB).toHaveLength(1);

    // A payload that breaks the contract is refused before anything is written.
    const bad = await runEmitterScript(bundle, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: cluster.prefix,
      USER_ID: userId,
      EVENT: 'achievement:unlocked',
      PAYLOAD: JSON.stringify({ title: 'no id' }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(
      /EmitterValidationError: invalid payload for "achievement:unlocked": achievementId/,
    );
    await sleep(300);
    expect(gotA).toHaveLength(1);
  });

  it('measures delivery latency across processes against a single process (reported, not asserted)', async () => {
    const single = (
      await startCluster(1, { DATABASE_URL: cluster.database.url, REDIS_URL: undefined })
    )[0];
    try {
      const rounds = 300;
      // Three cases, each "HTTP POST in, event out on a socket"; interleaved round by round
      // so that the machine's varying load weighs on all of them alike.
      const cases = [
        { name: 'singleProcess', publishTo: single, listenOn: single },
        { name: 'sameProcessInCluster', publishTo: a, listenOn: a },
        { name: 'crossProcess', publishTo: a, listenOn: b },
      ];
      const prepared = await Promise.all(
        cases.map(async (c) => {
          const userId = newUser();
          return {
            ...c,
            userId,
            socket: await device(c.listenOn, userId),
            samples: [] as number[],
          };
        }),
      );
      const once = async (c: (typeof prepared)[number], i: number) => {
        const arrived = nextEvent(c.socket, 'xp:gained');
        const started = performance.now();
        const res = await servicePost(c.publishTo, `/realtime/users/${c.userId}/events`, {
          event: 'xp:gained',
          payload: { amount: 1, source: 'latency', totalXp: i + 1 },
        });
        expect(res.status).toBeLessThan(300);
        await arrived;
        return performance.now() - started;
      };
      for (let i = 0; i < 20; i++) for (const c of prepared) await once(c, i); // warm-up
      for (let i = 0; i < rounds; i++) for (const c of prepared) c.samples.push(await once(c, i));
      for (const c of prepared) c.socket.close();
      const report = {
        rounds,
        ...Object.fromEntries(prepared.map((c) => [c.name, summarize(c.samples)])),
      };
      console.log(`[cluster latency] ${JSON.stringify(report)}`);
      writeFileSync(
        resolve(import.meta.dirname, '../../../../tmp', `cluster-latency-${runId}.json`),
        JSON.stringify(report, null, 2),
      );
      const crossProcess = summarize(prepared[2].samples);
      // Liveness only: every event arrived, none took absurdly long.
      expect(crossProcess.max).toBeLessThan(5_000);
    } finally {
      await single.stop();
    }
  }, 120_000);
});

function summarize(samples: number[]) {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) =>
    Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2));
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: Number(sorted[sorted.length - 1].toFixed(2)),
  };
}
