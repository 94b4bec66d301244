import {
  type ApiProcess,
  createScratchDatabase,
  type ScratchDatabase,
  startApi,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { inject } from 'vitest';
import { asUser, Device, serviceSend, uniqueUser } from './inbox-harness';

/**
 * A TCP relay between the API and PostgreSQL that the test can cut and restore, so the
 * real server can "go away" without touching anyone else's connections.
 */
class PostgresRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = this.port): Promise<void> {
    const server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
  }

  /** Refuses new connections and drops the open ones: the database is "down". */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('PostgreSQL outage', () => {
  let database: ScratchDatabase;
  let relay: PostgresRelay;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('runId'));
    const url = new URL(database.url);
    relay = new PostgresRelay({ host: url.hostname, port: Number(url.port || 5432) });
    await relay.open();
    url.hostname = '127.0.0.1';
    url.port = String(relay.port);
    api = await startApi({ env: { DATABASE_URL: url.toString() } });
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
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = startApi({
      env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing` },
      startTimeoutMs: 40_000,
    });
    await expect(failure).rejects.toThrow(/Cannot open the PostgreSQL database \(DATABASE_URL\)/);
  });
});
