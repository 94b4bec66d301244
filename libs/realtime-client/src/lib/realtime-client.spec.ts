import { ErrorCode } from '@herald/ws-contracts';
import {
  createRealtimeClient,
  type RealtimeClient,
  type RealtimeClientOptions,
} from './realtime-client';
import type { ConnectionStatus } from './connection-state';
import { waitFor } from '../../../../tools/testing/index.mjs';
import { mintToken, startTestServer, waitForStatus, type TestServer } from '../testing';

const FAST_BACKOFF = { minMs: 50, maxMs: 200, jitter: 0.5 };

describe('RealtimeClient against a real Socket.IO server', () => {
  let server: TestServer;
  const clients: RealtimeClient[] = [];

  const client = (
    options: Partial<RealtimeClientOptions> & Pick<RealtimeClientOptions, 'token'>,
  ) => {
    const created = createRealtimeClient({
      url: server.url,
      reconnection: FAST_BACKOFF,
      ...options,
    });
    clients.push(created);
    return created;
  };

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose();
    await server.close();
  });

  describe('connection state machine', () => {
    it('goes idle → connecting → connected and learns the user id', async () => {
      const c = client({ token: await mintToken('ana'), autoConnect: false });
      const seen: ConnectionStatus[] = [];
      c.subscribe((s) => seen.push(s.status));
      expect(c.getState().status).toBe('idle');
      c.connect();
      await waitFor(() => c.getState().userId === 'ana');
      expect(seen[0]).toBe('connecting');
      expect(c.getState()).toMatchObject({ status: 'connected', errorCode: null, userId: 'ana' });
    });

    it('is unauthorized with TOKEN_INVALID for a wrongly signed token, and does not retry', async () => {
      const forged = (await mintToken('ana')).slice(0, -4) + 'AAAA';
      const c = client({ token: forged });
      await waitForStatus(c, 'unauthorized');
      expect(c.getState()).toMatchObject({
        errorCode: ErrorCode.TokenInvalid,
        reason: 'handshake-refused',
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(server.handshakes).toHaveLength(1);
    });

    it('is unauthorized with TOKEN_MISSING when the supplier has no token', async () => {
      const c = client({ token: () => '' });
      await waitForStatus(c, 'unauthorized');
      expect(c.getState().errorCode).toBe(ErrorCode.TokenMissing);
    });

    it('is unauthorized with TOKEN_EXPIRED for an expired token when no refresher is given', async () => {
      const c = client({ token: await mintToken('ana', { expiresInSeconds: -60 }) });
      await waitForStatus(c, 'unauthorized');
      expect(c.getState()).toMatchObject({
        errorCode: ErrorCode.TokenExpired,
        reason: 'token-expired',
      });
    });

    it('refreshes an expired token at handshake and connects with the new one', async () => {
      const fresh = await mintToken('ana');
      const refreshToken = vi.fn(async () => fresh);
      const c = client({ token: await mintToken('ana', { expiresInSeconds: -60 }), refreshToken });
      await waitForStatus(c, 'connected');
      expect(refreshToken).toHaveBeenCalledTimes(1);
      expect(server.handshakes.map((h) => h.accepted)).toEqual([false, true]);
      expect(server.handshakes[1].token).toBe(fresh);
      expect(c.getState().reason).toBe('token-refreshed');
    });

    it('gives up as unauthorized when the refresher keeps returning expired tokens', async () => {
      const stale = await mintToken('ana', { expiresInSeconds: -60 });
      const refreshToken = vi.fn(async () => stale);
      const c = client({ token: stale, refreshToken });
      await waitForStatus(c, 'unauthorized');
      expect(refreshToken.mock.calls.length).toBeLessThanOrEqual(2);
      expect(server.handshakes.every((h) => !h.accepted)).toBe(true);
    });

    it('is unauthorized with TOKEN_REFRESH_FAILED when the refresher throws', async () => {
      const c = client({
        token: await mintToken('ana', { expiresInSeconds: -60 }),
        refreshToken: async () => {
          throw new Error('session over');
        },
      });
      await waitForStatus(c, 'unauthorized');
      expect(c.getState()).toMatchObject({
        errorCode: 'TOKEN_REFRESH_FAILED',
        errorMessage: 'session over',
      });
    });

    it('is disconnected after disconnect() and connects again on connect()', async () => {
      const c = client({ token: await mintToken('ana') });
      await waitForStatus(c, 'connected');
      c.disconnect();
      expect(c.getState()).toMatchObject({ status: 'disconnected', reason: 'client-disconnected' });
      await waitFor(async () => (await server.socketsOf('ana')) === 0);
      c.connect();
      await waitForStatus(c, 'connected');
    });

    it('is disconnected (not reconnecting) when the server closes the session on purpose', async () => {
      const c = client({ token: await mintToken('ana') });
      await waitForStatus(c, 'connected');
      server.io.in('user:ana').disconnectSockets(true);
      await waitForStatus(c, 'disconnected');
      expect(c.getState().reason).toBe('server-disconnected');
      await new Promise((r) => setTimeout(r, 300));
      expect(server.handshakes).toHaveLength(1);
    });
  });

  describe('refused handshakes that retrying can fix', () => {
    it('backs off and retries after RATE_LIMITED, then connects', async () => {
      await server.close();
      server = await startTestServer({ refuseFirst: { count: 2, code: ErrorCode.RateLimited } });
      const c = client({ token: await mintToken('ana') });
      const seen: string[] = [];
      c.subscribe((s) => seen.push(`${s.status}:${s.errorCode ?? ''}`));
      await waitForStatus(c, 'connected', 5_000);
      expect(seen).toContain('connecting:RATE_LIMITED');
      expect(server.handshakes.map((h) => h.accepted)).toEqual([false, false, true]);
    });
  });

  describe('tokens', () => {
    it('asks the token supplier before every handshake, reconnections included', async () => {
      let calls = 0;
      const token = await mintToken('ana');
      const c = client({
        token: () => {
          calls++;
          return token;
        },
      });
      await waitForStatus(c, 'connected');
      // Drop the transport (not a server-side "disconnect" decision): the client must come back.
      for (const socket of await server.io.fetchSockets()) {
        (socket as unknown as { conn: { close(): void } }).conn.close();
      }
      await waitFor(() => server.handshakes.length === 2 && c.getState().status === 'connected');
      expect(calls).toBe(2);
    });

    it('extends the session with auth:refresh before expiry, without reconnecting', async () => {
      const next = await mintToken('ana', { expiresInSeconds: 3600 });
      const c = client({
        token: await mintToken('ana', { expiresInSeconds: 3 }),
        refreshToken: async () => next,
        refreshLeadMs: 60_000,
      });
      await waitForStatus(c, 'connected');
      // refreshDelay: 80% of 3 s ≈ 2.4 s
      await waitFor(() => server.refreshes.length === 1, 5_000, 'auth:refresh');
      expect(server.refreshes[0]).toBe(next);
      await new Promise((r) => setTimeout(r, 1_200)); // past the first token's exp
      expect(c.getState().status).toBe('connected');
      expect(server.handshakes).toHaveLength(1);
      expect(c.token).toBe(next);
    });

    it('refreshes and reconnects when the token expires while connected', async () => {
      const fresh = await mintToken('ana');
      const c = client({
        token: await mintToken('ana', { expiresInSeconds: 1 }),
        // No in-place refresh (the lead time is 0), so the server's expiry path is taken.
        refreshLeadMs: 0,
        refreshToken: async () => fresh,
      });
      const statuses: string[] = [];
      c.subscribe((s) => statuses.push(`${s.status}:${s.reason}`));
      await waitForStatus(c, 'connected');
      await waitFor(
        () => server.handshakes.length === 2 && c.getState().status === 'connected',
        5_000,
      );
      expect(statuses).toContain('reconnecting:token-expired');
      expect(server.handshakes[1].token).toBe(fresh);
      expect(c.getState().reason).toBe('token-refreshed');
    });

    it('becomes unauthorized when the token expires while connected and nothing can refresh it', async () => {
      const c = client({ token: await mintToken('ana', { expiresInSeconds: 1 }) });
      await waitForStatus(c, 'connected');
      await waitForStatus(c, 'unauthorized', 5_000);
      expect(c.getState().errorCode).toBe(ErrorCode.TokenExpired);
    });
  });

  describe('events and acknowledgements', () => {
    it('delivers typed server events to on() handlers until unsubscribed', async () => {
      const c = client({ token: await mintToken('ana'), inbox: false });
      const xp: number[] = [];
      const off = c.on('xp:gained', (p) => xp.push(p.totalXp));
      await waitForStatus(c, 'connected');
      server.emitTo('ana', 'xp:gained', { amount: 5, source: 'quiz', totalXp: 5 });
      await waitFor(() => xp.length === 1);
      off();
      server.emitTo('ana', 'xp:gained', { amount: 5, source: 'quiz', totalXp: 10 });
      server.emitTo('ana', 'rank:updated', { newRank: 'Silver', oldRank: 'Bronze' });
      await new Promise((r) => setTimeout(r, 100));
      expect(xp).toEqual([5]);
    });

    it('keeps delivering to other handlers when one handler throws', async () => {
      const c = client({ token: await mintToken('ana'), inbox: false });
      const errors: unknown[] = [];
      const onError = (e: unknown) => errors.push(e);
      process.on('uncaughtException', onError);
      try {
        c.on('xp:gained', () => {
          throw new Error('boom');
        });
        const got = vi.fn();
        c.on('xp:gained', got);
        await waitForStatus(c, 'connected');
        server.emitTo('ana', 'xp:gained', { amount: 1, source: 's', totalXp: 1 });
        await waitFor(() => got.mock.calls.length === 1);
      } finally {
        await new Promise((r) => setTimeout(r, 20));
        process.off('uncaughtException', onError);
      }
      expect(errors).toHaveLength(1);
    });

    it('answers emitWithAck with the server acknowledgement, success and error alike', async () => {
      const c = client({ token: await mintToken('ana'), inbox: false });
      await waitForStatus(c, 'connected');
      const n = server.store('ana', 'Hello');
      const ok = await c.emitWithAck('notification:mark_read', { notificationId: n.id });
      expect(ok).toEqual({ ok: true, notificationId: n.id, unreadCount: 0 });
      const missing = await c.emitWithAck('notification:delete', {
        notificationId: '00000000-0000-4000-8000-000000000000',
      });
      expect(missing).toMatchObject({ ok: false, error: { code: ErrorCode.NotFound } });
    });

    it('answers NOT_CONNECTED at once when offline and ACK_TIMEOUT when the server stays silent', async () => {
      await server.close();
      server = await startTestServer({ silentEvents: ['notification:mark_all_read'] });
      const c = client({ token: await mintToken('ana'), autoConnect: false, inbox: false });
      expect(await c.emitWithAck('notification:mark_all_read', {})).toMatchObject({
        ok: false,
        error: { code: 'NOT_CONNECTED' },
      });
      c.connect();
      await waitForStatus(c, 'connected');
      const started = Date.now();
      expect(await c.emitWithAck('notification:mark_all_read', {}, { timeout: 150 })).toMatchObject(
        {
          ok: false,
          error: { code: 'ACK_TIMEOUT' },
        },
      );
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe('reconnection', () => {
    it('shows reconnecting while the server is down and reconnects when it is back', async () => {
      const port = server.port;
      const c = client({ token: await mintToken('ana') });
      await waitForStatus(c, 'connected');
      await server.close();
      await waitForStatus(c, 'reconnecting');
      await new Promise((r) => setTimeout(r, 300));
      expect(c.getState().status).toBe('reconnecting');
      expect(c.getState().attempt).toBeGreaterThan(0);
      server = await startTestServer({ port });
      await waitForStatus(c, 'connected', 5_000);
      expect(c.getState().attempt).toBe(0);
    });
  });
});
