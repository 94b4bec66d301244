import { startApi, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT } from 'jose';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal } from '../support/clients';
import { call } from './hardening-harness';

/**
 * A JWKS endpoint that is down when Herald first needs it: handshakes must neither be
 * told their token is bad nor each trigger a fetch, and the first fetch after the
 * endpoint is back must serve everyone.
 */
describe('JWT_JWKS_URL unreachable before any key was cached', () => {
  const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let up = false;
  let hits = 0;
  let server: Server;
  let api: ApiProcess;

  const token = () =>
    new SignJWT({ sub: 'outage-user', exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' })
      .sign(issuer.privateKey);

  beforeAll(async () => {
    const keys = [
      { ...(await exportJWK(issuer.publicKey)), kid: 'issuer-key', alg: 'RS256', use: 'sig' },
    ];
    server = createServer((_req, res) => {
      hits++;
      if (!up) return res.writeHead(503).end('maintenance');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    api = await startApi({
      env: {
        JWT_SECRET: undefined,
        JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        DEMO_AUTH: 'false',
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers SERVICE_UNAVAILABLE (not TOKEN_INVALID) and does not fetch for every handshake', async () => {
    for (let i = 0; i < 10; i++) {
      const jwt = await token();
      expect((await expectRefusal(api.url, { token: jwt })).data?.code).toBe(ErrorCode.Unavailable);
      const http = await call(api, 'GET', '/api/notifications/unread-count', { token: jwt });
      expect(http.status).toBe(503);
    }
    // One attempt, plus at most one more if the loop outlived the 5 s back-off.
    expect(hits).toBeLessThanOrEqual(2);
  });

  it('accepts tokens once the endpoint is back (after the back-off)', async () => {
    up = true;
    await expect
      .poll(
        async () => {
          try {
            (await connectAuthenticated(api.url, { token: await token() })).close();
            return true;
          } catch {
            return false;
          }
        },
        { timeout: 15_000, interval: 1_000 },
      )
      .toBe(true);
  }, 20_000);
});
