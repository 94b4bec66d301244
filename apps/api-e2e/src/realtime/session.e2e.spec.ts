import { mintToken, sleep } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, nextEvent, type TestSocket } from '../support/clients';
import {
  closeAll,
  disconnected,
  emitRaw,
  emitWithAck,
  service,
  startRealtimeApi,
} from './realtime-harness';

const SMALL_MESSAGE_LIMIT = 4_096;

describe('a connected session: token lifetime and client events', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    // A small message limit keeps the oversized-message test light; everything else is default.
    api = await startRealtimeApi(inject('runId'), {
      WS_MAX_MESSAGE_BYTES: String(SMALL_MESSAGE_LIMIT),
    });
  });
  afterEach(() => closeAll(open.splice(0)));
  afterAll(async () => {
    await api?.stopAll();
  });

  async function connect(
    userId: string,
    expiresIn = 3600,
    transports?: ('websocket' | 'polling')[],
  ) {
    const socket = await connectAuthenticated(api.url, {
      token: await mintToken(userId, { expiresIn }),
      transports,
    });
    open.push(socket);
    return socket;
  }

  it('tells a socket its token expired, then disconnects it; auth:refresh keeps another one connected', async () => {
    const expiring = await connect('ss-expiring', 3);
    const refreshed = await connect('ss-refreshed', 3);
    const longer = await mintToken('ss-refreshed', { expiresIn: 3600 });
    const ack = await emitWithAck(refreshed, 'auth:refresh', { token: longer });
    expect(ack).toMatchObject({ ok: true, userId: 'ss-refreshed', expiresAt: expect.any(String) });
    expect(Date.parse(ack.expiresAt)).toBeGreaterThan(Date.now() + 3_000_000);

    const error = nextEvent(expiring, 'error', 15_000);
    const reason = disconnected(expiring, 15_000);
    expect(await error).toEqual({ message: expect.any(String), code: ErrorCode.TokenExpired });
    expect(await reason).toBe('io server disconnect');
    await sleep(1_000);
    expect(refreshed.connected).toBe(true);
  }, 30_000);

  it('refuses auth:refresh with a token of another user (FORBIDDEN) and keeps the session', async () => {
    const socket = await connect('ss-mine');
    const ack = await emitWithAck(socket, 'auth:refresh', {
      token: await mintToken('ss-someone-else'),
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.Forbidden, message: expect.any(String) },
    });
    expect(socket.connected).toBe(true);
  });

  it.each([
    [
      'an expired token',
      () => mintToken('ss-refresh-bad', { expiresIn: -60 }),
      ErrorCode.TokenExpired,
    ],
    [
      'a wrongly signed token',
      () => mintToken('ss-refresh-bad', { secret: 'x'.repeat(40) }),
      ErrorCode.TokenInvalid,
    ],
    ['garbage', async () => 'garbage', ErrorCode.TokenInvalid],
  ])('refuses auth:refresh with %s, answering its code', async (_name, token, code) => {
    const socket = await connect('ss-refresh-bad');
    expect(await emitWithAck(socket, 'auth:refresh', { token: await token() })).toMatchObject({
      ok: false,
      error: { code },
    });
    expect(socket.connected).toBe(true);
  });

  it.each([
    ['no payload', []],
    ['a number as token', [{ token: 42 }]],
    ['an extra field', [{ token: 'a.b.c', admin: true }]],
    ['a string payload', ['token']],
  ])('answers INVALID_PAYLOAD to a payload with %s', async (_name, args) => {
    const socket = await connect('ss-invalid');
    const ack = await emitWithAck(socket, 'auth:refresh', ...args);
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.InvalidPayload, message: expect.any(String) },
    });
    expect(socket.connected).toBe(true);
  });

  it('answers UNKNOWN_EVENT to an unknown event sent with an acknowledgement', async () => {
    const socket = await connect('ss-unknown');
    expect(await emitWithAck(socket, 'admin:drop_all', {})).toEqual({
      ok: false,
      error: { code: ErrorCode.UnknownEvent, message: expect.stringContaining('admin:drop_all') },
    });
  });

  it('ignores an unknown event sent without an acknowledgement', async () => {
    const socket = await connect('ss-unknown-quiet');
    const events: string[] = [];
    socket.onAny((e: string) => e !== 'notification:unread_count' && events.push(e));
    emitRaw(socket, 'admin:drop_all', {});
    await sleep(300);
    expect(events).toEqual([]);
    expect(socket.connected).toBe(true);
  });

  it('answers a flood with RATE_LIMITED past the burst, keeps the socket, and recovers', async () => {
    const flooder = await connect('ss-flooder');
    const bystander = await connect('ss-bystander');
    const acks = await Promise.all(
      Array.from({ length: 120 }, () => emitWithAck(flooder, 'auth:refresh', {})),
    );
    const codes = acks.map((a) => a.error?.code);
    const limited = codes.filter((c) => c === ErrorCode.RateLimited).length;
    // Default burst 50 (+ a little refill while the flood was sent).
    expect(codes.filter((c) => c === ErrorCode.InvalidPayload).length).toBeGreaterThanOrEqual(50);
    expect(limited).toBeGreaterThanOrEqual(50);
    expect(flooder.connected).toBe(true);
    expect(bystander.connected).toBe(true);
    expect((await emitWithAck(bystander, 'auth:refresh', {})).error.code).toBe(
      ErrorCode.InvalidPayload,
    );
    await sleep(1_200);
    expect((await emitWithAck(flooder, 'auth:refresh', {})).error.code).toBe(
      ErrorCode.InvalidPayload,
    );
  });

  it('tells a flooding client without acknowledgements once with an error event', async () => {
    const socket = await connect('ss-quiet-flooder');
    const errors: unknown[] = [];
    socket.on('error', (e) => errors.push(e));
    for (let i = 0; i < 100; i++) emitRaw(socket, 'auth:refresh', {});
    await sleep(500);
    const limited = errors.filter((e) => (e as { code?: string }).code === ErrorCode.RateLimited);
    expect(limited).toHaveLength(1);
    expect(socket.connected).toBe(true);
  });

  it.each([['websocket' as const], ['polling' as const]])(
    'closes only the socket that sent a message over the size limit (%s)',
    async (transport) => {
      const sender = await connect('ss-oversized', 3600, [transport]);
      const bystander = await connect('ss-oversized-bystander');
      const reason = disconnected(sender);
      emitRaw(sender, 'auth:refresh', { token: 'x'.repeat(SMALL_MESSAGE_LIMIT * 2) });
      expect(await reason).toMatch(/transport (close|error)/);
      await sleep(200);
      expect(bystander.connected).toBe(true);
      expect((await service(api.url, 'GET', '/api/health')).status).toBe(200);
      const again = await connect('ss-oversized', 3600, [transport]);
      expect(again.connected).toBe(true);
    },
  );

  it('accepts a message just under the size limit', async () => {
    const socket = await connect('ss-under-limit');
    const ack = await emitWithAck(socket, 'admin:big', {
      blob: 'y'.repeat(SMALL_MESSAGE_LIMIT - 200),
    });
    expect(ack.error.code).toBe(ErrorCode.UnknownEvent);
  });

  it('answers a handler exception with a structured error, never a bare internal error', async () => {
    // The inbox handler refuses an id that is not the user's own with NOT_FOUND.
    const socket = await connect('ss-not-mine');
    const ack = await emitWithAck(socket, 'notification:mark_read', {
      notificationId: '00000000-0000-4000-8000-000000000000',
    });
    expect(ack.ok).toBe(false);
    expect(ack.error.code).not.toBe('INTERNAL_ERROR');
    expect(typeof ack.error.message).toBe('string');
  });

  // Last on purpose: it stops this file's API.
  it('shuts down on SIGTERM with sockets connected: every client is disconnected and the process exits 0', async () => {
    const sockets = [await connect('ss-shutdown'), await connect('ss-shutdown', 3600, ['polling'])];
    const reasons = Promise.all(sockets.map((socket) => disconnected(socket, 10_000)));
    const started = Date.now();
    expect(await api.stop()).toBe(0);
    expect(await reasons).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
