import {
  mintToken,
  startApi,
  TEST_JWT_SECRET,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import { SignJWT } from 'jose';
import { ErrorCode } from '@herald/ws-contracts';
import {
  connectAuthenticated,
  createSocket,
  expectRefusal,
  nextEvent,
  type TestSocket,
} from '../support/clients';
import { disconnected, emitWithAck } from '../realtime/realtime-harness';
import { call } from './hardening-harness';

const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** HS256 with the test secret and exactly these claims (no exp unless given). */
const signed = (claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);

/** Refused at the handshake (auth.token and Bearer header) and on HTTP, with `code`. */
async function expectRefusedEverywhere(api: ApiProcess, token: string, code: string) {
  expect((await expectRefusal(api.url, { token })).data?.code).toBe(code);
  expect((await expectRefusal(api.url, { token, viaHeader: true })).data?.code).toBe(code);
  const http = await call(api, 'GET', '/api/notifications/unread-count', { token });
  expect(http.status).toBe(401);
  expect(http.body).toMatchObject({ statusCode: 401, code });
}

describe('token rules: exp required, the user id checked like one', () => {
  let api: ApiProcess;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    api = await startApi();
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('refuses a token without exp at the handshake and on HTTP (TOKEN_INVALID)', async () => {
    await expectRefusedEverywhere(
      api,
      await signed({ sub: 'no-exp', iat: now() }),
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses auth:refresh with a token without exp, and the socket still expires on time', async () => {
    const socket = await connectAuthenticated(api.url, {
      token: await mintToken('refresh-no-exp', { expiresIn: 1 }),
    });
    open.push(socket);
    const expired = nextEvent(socket, 'error', 15_000);
    const gone = disconnected(socket, 15_000);
    const ack = await emitWithAck(socket, 'auth:refresh', {
      token: await signed({ sub: 'refresh-no-exp' }),
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.TokenInvalid, message: expect.any(String) },
    });
    expect(await expired).toMatchObject({ code: ErrorCode.TokenExpired });
    expect(await gone).toBe('io server disconnect');
  }, 30_000);

  it.each([
    ['a leading space', ' alice'],
    ['a trailing space', 'alice '],
    ['a NUL', 'ali\u0000ce'],
    ['an escape character', 'alice\u001b[31m'],
    ['only spaces', '   '],
  ])('refuses a sub with %s (not a valid user id)', async (_name, sub) => {
    await expectRefusedEverywhere(api, await mintToken(sub), ErrorCode.TokenInvalid);
  });

  it('accepts a sub that is a valid user id (control)', async () => {
    const token = await mintToken('alice.o-brien@example.com');
    open.push(await connectAuthenticated(api.url, { token }));
    expect((await call(api, 'GET', '/api/notifications/unread-count', { token })).status).toBe(200);
  });
});

describe('token claims: JWT_USER_ID_CLAIM and JWT_EMAIL_CLAIM', () => {
  const USER_ID_CLAIM = 'https://herald.test/user_id';
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi({ env: { JWT_USER_ID_CLAIM: USER_ID_CLAIM, JWT_EMAIL_CLAIM: 'mail' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('takes the user id and e-mail from the configured claims, at the handshake and on HTTP', async () => {
    const token = await signed({
      sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
      [USER_ID_CLAIM]: 'claims-ana',
      mail: 'ana@herald.test',
      email: 'someone-else@herald.test',
      exp: now() + 600,
    });
    // `authenticated` says who the server takes the socket for.
    const socket = createSocket(api.url, { token });
    const authenticated = nextEvent(socket, 'authenticated');
    expect(await authenticated).toMatchObject({
      userId: 'claims-ana',
      email: 'ana@herald.test',
    });
    socket.close();
    const http = await call(api, 'GET', '/api/notifications/unread-count', { token });
    expect(http.status).toBe(200);
  });

  it('refuses a token that has a sub but not the configured user-id claim', async () => {
    await expectRefusedEverywhere(api, await mintToken('only-sub'), ErrorCode.TokenInvalid);
  });

  it('issues demo tokens with the id in the configured claim', async () => {
    const res = await call<{ accessToken: string; user: { id: string } }>(
      api,
      'POST',
      '/api/auth/demo-login',
      { body: { email: 'demo-claims@herald.test', userId: 'demo-claims' } },
    );
    expect(res.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(payload).toMatchObject({
      [USER_ID_CLAIM]: 'demo-claims',
      mail: 'demo-claims@herald.test',
    });
    expect(payload.exp).toEqual(expect.any(Number));
    (await connectAuthenticated(api.url, { token: res.body.accessToken })).close();
  });
});
