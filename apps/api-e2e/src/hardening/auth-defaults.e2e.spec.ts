import { startApi, TEST_JWT_SECRET, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { connectAuthenticated } from '../support/clients';
import { call } from './hardening-harness';

/** The key the README prints for local use; it must never open a configured deployment. */
const BUILT_IN_API_KEY = 'herald-development-api-key';

/** NODE_ENV unset (development), as an operator who forgot it would run the API. */
const UNSET = { NODE_ENV: undefined, DEMO_AUTH: undefined, API_KEY: undefined };

describe('auth defaults fail closed once anything is configured', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi({ env: { ...UNSET, JWT_SECRET: TEST_JWT_SECRET } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('keeps demo sign-in off with a real JWT_SECRET and NODE_ENV unset (404)', async () => {
    const res = await call(api, 'POST', '/api/auth/demo-login', {
      body: { email: 'mallory@example.com', userId: 'ceo' },
    });
    expect(res.status).toBe(404);
  });

  it('refuses the built-in development API key with a real JWT_SECRET and NODE_ENV unset (401)', async () => {
    const res = await call(api, 'GET', '/api/realtime/users/someone/presence', {
      apiKey: BUILT_IN_API_KEY,
    });
    expect(res.status).toBe(401);
  });
});

describe('zero configuration still runs the demo', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi({ env: { ...UNSET, JWT_SECRET: undefined } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('signs in through the demo and connects with the token', async () => {
    const res = await call<{ accessToken: string }>(api, 'POST', '/api/auth/demo-login', {
      body: { email: 'ana@herald.dev' },
    });
    expect(res.status).toBe(200);
    const socket = await connectAuthenticated(api.url, { token: res.body.accessToken });
    socket.close();
  });

  it('accepts the built-in development API key', async () => {
    const res = await call(api, 'GET', '/api/realtime/users/someone/presence', {
      apiKey: BUILT_IN_API_KEY,
    });
    expect(res.status).toBe(200);
  });
});
