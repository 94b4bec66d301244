import { type ApiProcess, mintToken, startApi } from '../../../../tools/testing/index.mjs';
import { randomUUID } from 'node:crypto';
import { ErrorCode, type Notification } from '@herald/ws-contracts';
import {
  connectAuthenticated,
  createSocket,
  nextEvent,
  recordEvents,
  type TestSocket,
} from '../support/clients';
import { call, inboxOf, service, uniqueUser } from './hardening-harness';
import { PrivatePostgres } from './private-postgres';

const waitFor = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/**
 * The PostgreSQL server itself stops (pg_ctl stop -m fast on a private server) and starts
 * again. Complements inbox/inbox-outage (a cut TCP relay): here the server goes away for
 * real, and the test checks what the relay test does not — that sockets stay connected
 * and keep receiving pushes, liveness stays 200 while readiness is 503, nothing sent
 * during the outage is stored, and recovery needs no restart of the API.
 */
describe('PostgreSQL server stopped and restarted', () => {
  let postgres: PrivatePostgres;
  let api: ApiProcess;
  let socket: TestSocket | undefined;

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
    api = await startApi({ env: { DATABASE_URL: postgres.url } });
  });
  afterAll(async () => {
    socket?.close();
    await api?.stop();
    await postgres?.destroy();
  });

  it('answers 503 and reports it, keeps sockets connected and pushing, stores nothing, and recovers by itself', async () => {
    const userId = uniqueUser('pg-down');
    const token = await mintToken(userId);
    const before = await service<Notification>(api, 'POST', '/api/notifications', {
      userId,
      title: 'before',
      message: 'stored',
    });
    expect(before.status).toBe(201);
    socket = await connectAuthenticated(api.url, { token });

    await postgres.stop();

    // Health: not ready (critical dependency down), but alive.
    const health = await call(api, 'GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', checks: { database: { status: 'down' } } });
    expect((await call(api, 'GET', '/api/health/ready')).status).toBe(503);
    expect((await call(api, 'GET', '/api/health/live')).status).toBe(200);

    // Every user endpoint and the service endpoint: 503 with the JSON error shape.
    for (const [method, path] of [
      ['GET', '/api/notifications'],
      ['GET', '/api/notifications/unread-count'],
      ['PATCH', `/api/notifications/${before.body.id}/read`],
      ['POST', '/api/notifications/read-all'],
      ['DELETE', `/api/notifications/${randomUUID()}`],
    ] as const) {
      const res = await call(api, method, path, { token });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        code: ErrorCode.Unavailable,
      });
    }
    const during = await service(api, 'POST', '/api/notifications', {
      userId,
      title: 'during',
      message: 'refused',
    });
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ statusCode: 503, code: ErrorCode.Unavailable });

    // The socket stays connected; events that need the database answer SERVICE_UNAVAILABLE,
    // and pushes that do not (service events) still arrive.
    expect(
      await socket.timeout(10_000).emitWithAck('notification:mark_all_read', {}),
    ).toMatchObject({
      ok: false,
      error: { code: ErrorCode.Unavailable },
    });
    const pushed = new Promise((resolve) => socket?.once('xp:gained', resolve));
    expect(
      (
        await service(api, 'POST', `/api/realtime/users/${userId}/events`, {
          event: 'xp:gained',
          payload: { amount: 5, source: 'outage', totalXp: 5 },
        })
      ).status,
    ).toBe(202);
    expect(await pushed).toEqual({ amount: 5, source: 'outage', totalXp: 5 });
    expect(socket.connected).toBe(true);

    // New handshakes still work (authentication needs no database); instead of its unread
    // count the socket hears why there is none, and stays connected.
    const late = createSocket(api.url, { token: await mintToken(uniqueUser('pg-down-late')) });
    const lateErrors = recordEvents(late, 'error');
    const lateCounts = recordEvents(late, 'notification:unread_count');
    await nextEvent(late, 'authenticated');
    await waitFor(async () => lateErrors.items.length > 0, 10_000);
    expect(lateErrors.items).toEqual([expect.objectContaining({ code: ErrorCode.Unavailable })]);
    expect(lateCounts.items).toEqual([]);
    expect(late.connected).toBe(true);
    late.close();

    await postgres.start();
    // Recovery without restarting the API: the pool reconnects on the next query.
    await waitFor(async () => (await call(api, 'GET', '/api/health/ready')).status === 200, 20_000);
    expect((await call(api, 'GET', '/api/health')).body).toMatchObject({ status: 'ok' });
    expect((await inboxOf(api, userId)).map((n) => n.title)).toEqual(['before']);
    expect(
      (
        await service(api, 'POST', '/api/notifications', {
          userId,
          title: 'after',
          message: 'stored',
        })
      ).status,
    ).toBe(201);
    expect(await socket.timeout(5_000).emitWithAck('notification:mark_all_read', {})).toMatchObject(
      { ok: true },
    );
    expect(socket.connected).toBe(true);
  }, 90_000); // a PostgreSQL stop and start
});
