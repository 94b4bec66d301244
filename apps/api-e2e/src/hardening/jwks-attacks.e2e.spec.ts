import { type ApiProcess, startApi } from '../../../../tools/testing/index.mjs';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT, type JWTHeaderParameters } from 'jose';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal } from '../support/clients';
import { Bystander, call } from './hardening-harness';

/** A loopback HTTP server that counts the requests it gets and serves `body`. */
async function countingServer(body: unknown) {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `kid` tricks against a JWKS-verifying API (JWT_JWKS_URL): unknown key ids must not turn
 * the server into a JWKS-fetching amplifier, and token headers (`jku`, `x5u`) must never
 * make it contact an address the attacker chose.
 */
describe('JWT attacks against JWT_JWKS_URL', () => {
  const issuer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Awaited<ReturnType<typeof countingServer>>;
  let evil: Awaited<ReturnType<typeof countingServer>>;
  let api: ApiProcess;
  let bystander: Bystander;

  const sign = (header: Partial<JWTHeaderParameters>, key = issuer.privateKey, sub = 'jwks-user') =>
    new SignJWT({ sub, exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key', ...header } as JWTHeaderParameters)
      .sign(key);

  beforeAll(async () => {
    jwks = await countingServer({
      keys: [
        { ...(await exportJWK(issuer.publicKey)), kid: 'issuer-key', alg: 'RS256', use: 'sig' },
      ],
    });
    evil = await countingServer({
      keys: [{ ...(await exportJWK(attacker.publicKey)), kid: 'evil', alg: 'RS256', use: 'sig' }],
    });
    api = await startApi({
      env: { JWT_SECRET: undefined, JWT_JWKS_URL: jwks.url, DEMO_AUTH: 'false' },
    });
    bystander = await Bystander.connectWithToken(
      api,
      'jwks-bystander',
      await sign({}, issuer.privateKey, 'jwks-bystander'),
    );
  });
  afterEach(async () => {
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await api?.stop();
    await jwks?.close();
    await evil?.close();
  });

  it('accepts a token signed by a key of the JWKS (control)', async () => {
    (await connectAuthenticated(api.url, { token: await sign({}) })).close();
    expect(jwks.hits()).toBeGreaterThanOrEqual(1);
  });

  it('refuses 20 tokens with random unknown kids (handshake and HTTP) without refetching the JWKS for each', async () => {
    const before = jwks.hits();
    for (let i = 0; i < 20; i++) {
      const token = await sign({ kid: randomUUID() }, attacker.privateKey);
      expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
      expect((await call(api, 'GET', '/api/notifications/unread-count', { token })).status).toBe(
        401,
      );
    }
    // jose refetches at most once per cooldown (30 s): an attacker cannot amplify.
    expect(jwks.hits() - before).toBeLessThanOrEqual(2);
  });

  it.each(['jku', 'x5u'])(
    'never fetches a key from a %s header the attacker controls',
    async (param) => {
      const token = await sign(
        { kid: 'evil', [param]: evil.url } as Partial<JWTHeaderParameters>,
        attacker.privateKey,
      );
      expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
      expect((await call(api, 'GET', '/api/notifications/unread-count', { token })).status).toBe(
        401,
      );
      expect(evil.hits()).toBe(0);
    },
  );

  it('refuses the right kid with a signature from another key, and HS256 keyed with the JWKS JSON', async () => {
    const forged = await sign({}, attacker.privateKey);
    expect((await expectRefusal(api.url, { token: forged })).data?.code).toBe(
      ErrorCode.TokenInvalid,
    );
    const confused = await new SignJWT({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: 'issuer-key' })
      .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(issuer.publicKey))));
    expect((await expectRefusal(api.url, { token: confused })).data?.code).toBe(
      ErrorCode.TokenInvalid,
    );
  });
});
