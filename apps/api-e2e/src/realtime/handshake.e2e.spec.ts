import {
  mintToken,
  TEST_JWT_SECRET,
  TEST_ORIGIN,
  unsignedToken,
} from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { ErrorCode } from '@herald/ws-contracts';
import {
  connectAuthenticated,
  createSocket,
  expectRefusal,
  nextEvent,
  type TestSocket,
} from '../support/clients';
import { closeAll, rawWebSocketStatus, startRealtimeApi } from './realtime-harness';

const FOREIGN_ORIGIN = 'http://evil.example';

describe('Socket.IO handshake authentication', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'));
  });
  afterEach(() => closeAll(open.splice(0)));
  afterAll(async () => {
    await api?.stopAll();
  });

  async function accepted(options: Parameters<typeof connectAuthenticated>[1]) {
    const socket = await connectAuthenticated(api.url, options);
    open.push(socket);
    return socket;
  }

  it('accepts auth.token and sends authenticated with the user id and email', async () => {
    const socket = createSocket(api.url, {
      token: await mintToken('hs-ana', { email: 'ana@example.com' }),
    });
    open.push(socket);
    expect(await nextEvent(socket, 'authenticated')).toEqual({
      success: true,
      userId: 'hs-ana',
      email: 'ana@example.com',
    });
  });

  it('accepts an Authorization: Bearer header (server-side clients)', async () => {
    const socket = await accepted({ token: await mintToken('hs-header'), viaHeader: true });
    expect(socket.connected).toBe(true);
  });

  it('works over the polling transport', async () => {
    const socket = await accepted({
      token: await mintToken('hs-polling'),
      transports: ['polling'],
    });
    expect(socket.io.engine.transport.name).toBe('polling');
  });

  it('refuses a handshake without a token with TOKEN_MISSING', async () => {
    const error = await expectRefusal(api.url, {});
    expect(error.data?.code).toBe(ErrorCode.TokenMissing);
    expect(error.message).toMatch(/missing/i);
  });

  it('refuses an empty Bearer header with TOKEN_MISSING', async () => {
    const socket = io(api.url, {
      transports: ['websocket'],
      extraHeaders: { authorization: 'Bearer ' },
      reconnection: false,
      forceNew: true,
    });
    const error = await new Promise<Error & { data?: { code?: string } }>((resolve) =>
      socket.once('connect_error', resolve),
    );
    socket.close();
    expect(error.data?.code).toBe(ErrorCode.TokenMissing);
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['a truncated token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['a 20 kB token', `${'a'.repeat(20_000)}.b.c`],
  ])('refuses %s with TOKEN_INVALID', async (_name, token) => {
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await mintToken('hs-wrong', {
      secret: 'another-secret-that-is-long-enough-0123456789',
    });
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses an unsigned alg:none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({ sub: 'hs-none', exp: now + 600 });
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses an RS256 token when only HS256 is configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('hs-rs')
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const token = await mintToken('hs-expired', { expiresIn: -60 });
    const error = await expectRefusal(api.url, { token });
    expect(error.data?.code).toBe(ErrorCode.TokenExpired);
  });

  it('refuses a token not yet valid (nbf) with TOKEN_INVALID', async () => {
    const token = await mintToken('hs-nbf', { notBefore: 120 });
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it.each([
    ['a numeric sub', 42],
    ['an empty sub', ''],
  ])('refuses %s with TOKEN_INVALID', async (_name, sub) => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub } as never)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses a token given as a non-string auth.token', async () => {
    const socket = io(api.url, {
      transports: ['websocket'],
      auth: { token: { forged: true } },
      reconnection: false,
      forceNew: true,
    });
    const error = await new Promise<Error & { data?: { code?: string } }>((resolve) =>
      socket.once('connect_error', resolve),
    );
    socket.close();
    expect(error.data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('never logs the token of a refused or accepted handshake', async () => {
    const refused = await mintToken('hs-logged', {
      secret: 'another-secret-that-is-long-enough-0123456789',
    });
    await expectRefusal(api.url, { token: refused });
    const good = await mintToken('hs-logged');
    await accepted({ token: good });
    const signatureOf = (t: string) => t.split('.')[2];
    expect(api.logs.join('\n')).not.toContain(signatureOf(refused));
    expect(api.logs.join('\n')).not.toContain(signatureOf(good));
  });

  it('lets at least 50 handshakes a second from one address through by default', async () => {
    const token = await mintToken('hs-burst');
    const started = Date.now();
    const sockets = await Promise.all(
      Array.from({ length: 60 }, () => connectAuthenticated(api.url, { token })),
    );
    open.push(...sockets);
    expect(sockets.every((s) => s.connected)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  describe('origins', () => {
    it('accepts an allowed browser origin on polling, with the CORS header', async () => {
      const res = await fetch(`${api.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: TEST_ORIGIN },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      await res.text();
    });

    it('refuses a foreign browser origin on polling with 403', async () => {
      const res = await fetch(`${api.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: FOREIGN_ORIGIN },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      await res.text();
    });

    it('upgrades a raw websocket from an allowed origin', async () => {
      expect(await rawWebSocketStatus(api.url, TEST_ORIGIN)).toBe(101);
    });

    it('refuses a raw websocket upgrade from a foreign origin with 403 (cross-site WebSocket hijacking)', async () => {
      expect(await rawWebSocketStatus(api.url, FOREIGN_ORIGIN)).toBe(403);
    });

    it('judges a client without an Origin by its token alone', async () => {
      expect(await rawWebSocketStatus(api.url, undefined)).toBe(101);
      const socket = await accepted({ token: await mintToken('hs-no-origin') });
      expect(socket.connected).toBe(true);
    });

    it('refuses a Socket.IO client sending a foreign Origin even with a valid token', async () => {
      const token = await mintToken('hs-foreign');
      const error = await expectRefusal(api.url, {
        token,
        origin: FOREIGN_ORIGIN,
        transports: ['polling'],
      });
      expect(error.message).toMatch(/xhr poll error|websocket error|403/i);
      const ws = await expectRefusal(api.url, {
        token,
        origin: FOREIGN_ORIGIN,
        transports: ['websocket'],
      });
      expect(ws.message).toMatch(/websocket error|403/i);
    });
  });

  it('refuses connections to a namespace nobody serves', async () => {
    const error = await expectRefusal(`${api.url}/admin`, { token: await mintToken('hs-ns') });
    expect(error.message).toMatch(/invalid namespace/i);
  });
});
