import {
  type ApiProcess,
  createScratchDatabase,
  freePort,
  type ScratchDatabase,
  startApi,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { PostgresRelay } from '../support/postgres-relay';
import { asUser, Device, serviceSend, uniqueUser } from './inbox-harness';

describe('PostgreSQL outage', () => {
  let database: ScratchDatabase;
  let relay: PostgresRelay;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('runId'));
    relay = await PostgresRelay.start(database.url);
    api = await startApi({ env: { DATABASE_URL: relay.urlFor(database.url) } });
  });
  afterAll(async () => {
    await api?.stop();
    await relay?.cut();
    await database?.drop();
  });

  it('answers 503 (HTTP) and SERVICE_UNAVAILABLE (socket) while the database is down, and recovers by itself', async () => {
    const userId = uniqueUser('outage');
    const { token, call } = await asUser(api, userId);
    const sent = await serviceSend<{ id: string }>(api, { userId, title: 'before', message: 'm' });
    expect(sent.status).toBe(201);
    const device = await Device.connect(api.url, token);

    await relay.cut();
    const down = await call<{ statusCode: number; error: string; code: string }>(
      'GET',
      '/api/notifications/unread-count',
    );
    expect(down).toMatchObject({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', code: 'SERVICE_UNAVAILABLE' },
    });
    const refused = await serviceSend(api, { userId, title: 'during', message: 'm' });
    expect(refused).toMatchObject({
      status: 503,
      body: { statusCode: 503, code: 'SERVICE_UNAVAILABLE' },
    });
    const health = await fetch(`${api.url}/api/health`);
    expect(health.status).toBe(503);
    expect(
      ((await health.json()) as { checks: Record<string, { status: string }> }).checks['database']
        ?.status,
    ).toBe('down');
    const ack = await device.socket
      .timeout(10_000)
      .emitWithAck('notification:mark_read', { notificationId: sent.body.id });
    expect(ack).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    device.close();

    await relay.open();
    // Health answers from a result at most a second old, so recovery shows within that.
    await waitFor(
      async () => (await fetch(`${api.url}/api/health`)).status === 200,
      5_000,
      'health to report the database up again',
    );
    expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({ unreadCount: 1 });
    expect((await serviceSend(api, { userId, title: 'after', message: 'm' })).status).toBe(201);
    expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({ unreadCount: 2 });
  });
});

describe('PostgreSQL unreachable at start-up', () => {
  it('stops start-up with one clear line naming DATABASE_URL', async () => {
    // A port nothing listens on: free a moment ago, and nobody took it since.
    const port = await freePort();
    const failure = startApi({
      env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing` },
      startTimeoutMs: 40_000,
    });
    await expect(failure).rejects.toThrow(/Cannot open the PostgreSQL database \(DATABASE_URL\)/);
  });
});
