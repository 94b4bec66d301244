import { type ApiProcess, mintToken, startApi } from '../../../../tools/testing/index.mjs';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, createSocket, type TestSocket } from '../support/clients';
import { Bystander, service, uniqueUser } from './hardening-harness';

/**
 * One client flooding the server: handshakes past the per-IP limit are refused with
 * RATE_LIMITED, client events past the per-socket limit answer RATE_LIMITED; the flooder's
 * own connection, everyone else and the process stay up, and the limits refill.
 */
describe('floods from one client', () => {
  let api: ApiProcess;
  let bystander: Bystander;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    api = await startApi({
      env: {
        HANDSHAKE_RATE_LIMIT_BURST: '20',
        HANDSHAKE_RATE_LIMIT_PER_SECOND: '10',
        WS_RATE_LIMIT_BURST: '50',
        WS_RATE_LIMIT_PER_SECOND: '10',
        HTTP_RATE_LIMIT_PER_MINUTE: '600',
      },
    });
    bystander = await Bystander.connect(api);
  });
  afterEach(async () => {
    open.splice(0).forEach((s) => s.close());
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await api?.stop();
  });

  it('refuses a connection flood past the per-IP handshake limit with RATE_LIMITED, then lets clients in again', async () => {
    const token = await mintToken(uniqueUser('flooder'));
    const attempts = await Promise.allSettled(
      Array.from({ length: 120 }, () => connectAuthenticated(api.url, { token })),
    );
    const accepted = attempts
      .filter((r): r is PromiseFulfilledResult<TestSocket> => r.status === 'fulfilled')
      .map((r) => r.value);
    open.push(...accepted);
    const codes = attempts
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as { data?: { code?: string } }).data?.code);
    // The burst (20) plus what refilled while the flood was being handled; never all of them.
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    expect(accepted.length).toBeLessThan(120);
    expect(new Set(codes)).toEqual(new Set([ErrorCode.RateLimited]));
    // Already connected sockets, the flooder's included, keep working.
    expect(accepted.every((s) => s.connected)).toBe(true);

    await new Promise((r) => setTimeout(r, 1_500));
    const again = await connectAuthenticated(api.url, { token });
    open.push(again);
    expect(again.connected).toBe(true);
  });

  it('answers a client-event flood past the burst with RATE_LIMITED acks and keeps the socket', async () => {
    const socket = await connectAuthenticated(api.url, {
      token: await mintToken(uniqueUser('event-flooder')),
    });
    open.push(socket);
    const acks = await Promise.all(
      Array.from({ length: 150 }, () =>
        socket.timeout(10_000).emitWithAck('notification:mark_all_read', {}),
      ),
    );
    const ok = acks.filter((a) => a.ok).length;
    const limited = acks.filter((a) => !a.ok && a.error.code === ErrorCode.RateLimited).length;
    expect(ok).toBeGreaterThanOrEqual(50);
    expect(ok).toBeLessThan(150);
    expect(ok + limited).toBe(150);
    expect(socket.connected).toBe(true);

    await new Promise((r) => setTimeout(r, 1_200));
    expect(await socket.timeout(5_000).emitWithAck('notification:mark_all_read', {})).toMatchObject(
      { ok: true },
    );
  });

  it('tells a flooder without acknowledgements at most about once a second, and keeps it connected', async () => {
    const socket = createSocket(api.url, { token: await mintToken(uniqueUser('silent-flooder')) });
    open.push(socket);
    await new Promise<void>((resolve) => socket.once('authenticated', () => resolve()));
    const notices: { code?: string }[] = [];
    socket.on('error', (e) => notices.push(e));
    for (let i = 0; i < 400; i++)
      (socket as unknown as { emit(e: string, p: unknown): void }).emit(
        'notification:mark_all_read',
        {},
      );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.length).toBeLessThanOrEqual(3);
    expect(notices.every((n) => n.code === ErrorCode.RateLimited)).toBe(true);
    expect(socket.connected).toBe(true);
  });

  it('gives every socket its own event budget: one flooder does not rate-limit another user', async () => {
    const flooder = await connectAuthenticated(api.url, {
      token: await mintToken(uniqueUser('budget-flooder')),
    });
    const neighbour = await connectAuthenticated(api.url, {
      token: await mintToken(uniqueUser('budget-neighbour')),
    });
    open.push(flooder, neighbour);
    for (let i = 0; i < 200; i++)
      (flooder as unknown as { emit(e: string, p: unknown): void }).emit(
        'notification:mark_all_read',
        {},
      );
    expect(
      await neighbour.timeout(5_000).emitWithAck('notification:mark_all_read', {}),
    ).toMatchObject({ ok: true });
  });

  it('counts what happened in /api/metrics: users, handshake refusals by code, rate-limit hits, emits by name, delivery latency', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 150 }, () =>
        fetch(`${api.url}/api/notifications/unread-count`).then((r) => r.status),
      ),
    );
    expect(statuses).toContain(429);
    const sent = await service(api, 'POST', '/api/notifications', {
      userId: bystander.userId,
      title: 'measured',
      message: 'm',
    });
    expect(sent.status).toBe(201);
    await bystander.assertUnaffected(api); // one xp:gained through the service endpoint

    const text = await (await fetch(`${api.url}/api/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^herald_ws_users\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^herald_ws_connections\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(
      value(/^herald_ws_handshakes_total\{[^}]*outcome="RATE_LIMITED"[^}]*\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(
      value(/^herald_ws_handshakes_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(
      value(/^herald_ws_client_events_total\{[^}]*outcome="RATE_LIMITED"[^}]*\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(value(/^herald_http_rate_limited_total\{[^}]*\} (\d+)/m)).toBeGreaterThan(0);
    expect(
      value(/^herald_ws_events_emitted_total\{[^}]*event="xp:gained"[^}]*\} (\d+)/m),
    ).toBeGreaterThan(0);
    expect(
      value(/^herald_ws_events_emitted_total\{[^}]*event="notification:new"[^}]*\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(/^herald_notification_delivery_seconds_count\{[^}]*\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds/m);
  });
});
