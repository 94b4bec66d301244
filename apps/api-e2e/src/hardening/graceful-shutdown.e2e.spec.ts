import {
  type ApiProcess,
  createScratchDatabase,
  mintToken,
  redisPrefixFor,
  type ScratchDatabase,
  startApi,
} from '../../../../tools/testing/index.mjs';
import { halfSentPost } from '../support/half-sent-post';
import { io, type Socket } from 'socket.io-client';
import { inject } from 'vitest';
import type { Notification } from '@herald/ws-contracts';
import { inboxOf, service, uniqueUser } from './hardening-harness';

/** A Socket.IO client as applications use it: automatic reconnection on. */
function reconnectingClient(url: string, token: string): Socket {
  return io(url, {
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 500,
    randomizationFactor: 0,
    timeout: 3_000,
  });
}

const once = <T>(socket: Socket, event: string, timeoutMs = 10_000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

/**
 * SIGTERM (a deploy, a scale-down): the process stops accepting, lets in-flight requests
 * finish, disconnects sockets in a way that makes clients reconnect (to another process in
 * a cluster, here to the replacement on the same port), closes PostgreSQL and Redis
 * (presence included), and exits 0 within SHUTDOWN_TIMEOUT_MS.
 */
describe('graceful shutdown on SIGTERM (PostgreSQL + Redis)', () => {
  let database: ScratchDatabase;
  let env: Record<string, string>;
  const apis: ApiProcess[] = [];
  const clients: Socket[] = [];

  beforeAll(async () => {
    database = await createScratchDatabase(inject('runId'));
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: redisPrefixFor(inject('runId'), 'shutdown'),
      SHUTDOWN_TIMEOUT_MS: '10000',
    };
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    for (const api of apis) await api.kill();
    await database?.drop();
  });

  it('finishes the in-flight request, refuses new connections, tells sockets to reconnect, closes dependencies, exits 0', async () => {
    const api = await startApi({ env });
    apis.push(api);
    const userId = uniqueUser('deploy');
    const token = await mintToken(userId);
    const devices = [reconnectingClient(api.url, token), reconnectingClient(api.url, token)];
    clients.push(...devices);
    await Promise.all(devices.map((d) => once(d, 'authenticated')));
    expect((await service(api, 'GET', `/api/realtime/users/${userId}/presence`)).body).toEqual({
      online: true,
      sockets: 2,
    });

    const inFlight = halfSentPost(
      api.url,
      '/api/notifications',
      JSON.stringify({ userId, title: 'in flight', message: 'sent during shutdown' }),
    );
    await new Promise((r) => setTimeout(r, 200)); // headers and half the body have arrived
    const disconnects = devices.map((d) => once<string>(d, 'disconnect'));
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) =>
      api.child.once('exit', (code) => resolve(code)),
    );
    api.child.kill('SIGTERM');

    // Sockets are told at once, with a reason socket.io-client reconnects after.
    const reasons = await Promise.all(disconnects);
    // The engine closes the transport ("transport close"); the client backs off and retries.
    // ("io server disconnect", i.e. socket.disconnect(true), would leave clients offline.)
    expect(reasons).toEqual(['transport close', 'transport close']);
    for (const [i, reason] of reasons.entries()) {
      expect(reason, `device ${i}`).not.toBe('io server disconnect');
      expect(devices[i]?.active, `device ${i} will reconnect`).toBe(true);
    }
    // The listener is closed: a new connection is refused while the request is in flight.
    await expect(fetch(`${api.url}/api/health/live`)).rejects.toThrow();

    inFlight.finish();
    const answered = await inFlight.response;
    expect(answered.status).toBe(201);
    const stored = JSON.parse(answered.body) as Notification;

    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const logs = api.logs.join('\n');
    expect(logs).toContain('Received SIGTERM');
    expect(logs).toContain('Database closed');
    expect(logs).toContain('Shutdown complete');

    // The replacement comes up on the same address: clients reconnect by themselves,
    // presence counts them once (the old process removed its own entries), and the
    // notification accepted during shutdown is in the inbox.
    const reauthenticated = Promise.all(devices.map((d) => once(d, 'authenticated', 60_000)));
    const next = await startApi({ env, port: api.port });
    apis.push(next);
    await reauthenticated;
    expect(devices.every((d) => d.connected)).toBe(true);
    expect((await service(next, 'GET', `/api/realtime/users/${userId}/presence`)).body).toEqual({
      online: true,
      sockets: 2,
    });
    expect((await inboxOf(next, userId)).map((n) => n.id)).toEqual([stored.id]);
    expect(await next.stop()).toBe(0);
  }, 120_000); // two API start-ups on a loaded machine

  it('exits 1 when shutdown cannot finish within SHUTDOWN_TIMEOUT_MS (a request that never completes)', async () => {
    const api = await startApi({ env: { ...env, SHUTDOWN_TIMEOUT_MS: '1500' } });
    apis.push(api);
    const stuck = halfSentPost(
      api.url,
      '/api/notifications',
      JSON.stringify({ userId: 'stuck', title: 't', message: 'never finished' }),
    );
    stuck.response.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const code = await api.stop();
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(api.logs.join('\n')).toMatch(/Shutdown took longer than 1500 ms/);
  }, 60_000); // one start-up and the shutdown timeout
});
