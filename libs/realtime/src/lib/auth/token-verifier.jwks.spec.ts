import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';

describe('TokenVerifier with a JWKS URL', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let server: Server;
  let verifier: TokenVerifier;
  let requests = 0;

  beforeAll(async () => {
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((_req, res) => {
      requests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    verifier = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (alg: string, kid: string, key: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid })
      .setSubject('jwks-user')
      .setExpirationTime('5m')
      .sign(key);

  it('accepts RS256 and ES256 tokens whose kid is in the key set', async () => {
    await expect(
      verifier.verify(await sign('RS256', 'rsa-1', rsa.privateKey)),
    ).resolves.toMatchObject({ userId: 'jwks-user' });
    await expect(
      verifier.verify(await sign('ES256', 'ec-1', ec.privateKey)),
    ).resolves.toMatchObject({ userId: 'jwks-user' });
    expect(requests).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token signed by a key outside the set', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(
      verifier.verify(await sign('RS256', 'rsa-1', stranger.privateKey)),
    ).rejects.toMatchObject({
      code: ErrorCode.TokenInvalid,
    });
  });

  it('refuses HS256 (no secret configured), even signed with a published key', async () => {
    const jwk = JSON.stringify(await exportJWK(rsa.publicKey));
    const token = await sign('HS256', 'rsa-1', new TextEncoder().encode(jwk));
    const error = await verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldError);
    expect((error as HeraldError).code).toBe(ErrorCode.TokenInvalid);
  });

  it('answers SERVICE_UNAVAILABLE, not TOKEN_INVALID, when the key set cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
    await expect(
      unreachable.verify(await sign('RS256', 'rsa-1', rsa.privateKey)),
    ).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
  });

  it('keeps an unknown kid TOKEN_INVALID', async () => {
    await expect(
      verifier.verify(await sign('RS256', 'unknown-kid', rsa.privateKey)),
    ).rejects.toMatchObject({
      code: ErrorCode.TokenInvalid,
    });
  });
});

/** A JWKS endpoint the test can take down, slow down and count. */
async function controllableJwks(keys: object[]) {
  const state = { requests: 0, down: false, hold: null as Promise<void> | null, keys };
  const server = createServer((_req, res) => {
    state.requests++;
    void (state.hold ?? Promise.resolve()).then(() => {
      if (state.down) return res.writeHead(503).end('down');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: state.keys }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    url: `http://127.0.0.1:${port}/jwks.json`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('TokenVerifier JWKS cache', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Awaited<ReturnType<typeof controllableJwks>>;

  beforeEach(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
    jwks = await controllableJwks([jwk]);
  });
  afterEach(async () => {
    vi.useRealTimers();
    await jwks.close();
  });

  const token = (sub = 'cache-user') =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setSubject(sub)
      .setExpirationTime('5m')
      .sign(rsa.privateKey);
  const codeOf = (verifier: TokenVerifier, jwt: string) =>
    verifier.verify(jwt).then(
      () => 'accepted',
      (error: HeraldError) => error.code,
    );

  it('fetches the key set once for many handshakes arriving before it is cached (single-flight)', async () => {
    let release!: () => void;
    jwks.state.hold = new Promise<void>((resolve) => (release = resolve));
    const verifier = createTokenVerifier({ jwksUrl: jwks.url });
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => token(`user-${i}`)));
    const verdicts = Promise.all(tokens.map((jwt) => codeOf(verifier, jwt)));
    await vi.waitFor(() => expect(jwks.state.requests).toBe(1));
    release();
    expect(await verdicts).toEqual(Array(10).fill('accepted'));
    expect(jwks.state.requests).toBe(1);
  });

  it('does not fetch for every handshake while the endpoint is down and nothing is cached', async () => {
    jwks.state.down = true;
    const verifier = createTokenVerifier({ jwksUrl: jwks.url });
    for (let i = 0; i < 10; i++) {
      expect(await codeOf(verifier, await token())).toBe(ErrorCode.Unavailable);
    }
    expect(jwks.state.requests).toBe(1);
  });

  it('keeps verifying with the cached keys during an outage longer than the cache age (stale-while-error)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const verifier = createTokenVerifier({ jwksUrl: jwks.url });
    expect(await codeOf(verifier, await token())).toBe('accepted');
    jwks.state.down = true;
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect(await codeOf(verifier, await token())).toBe('accepted');
    expect(jwks.state.requests).toBe(2);
    // The endpoint is back: the next refresh replaces the stale set.
    jwks.state.down = false;
    vi.setSystemTime(Date.now() + 11 * 60_000);
    expect(await codeOf(verifier, await token())).toBe('accepted');
    expect(jwks.state.requests).toBe(3);
  });

  it('stops trusting a stale key set after jwksCache.maxStaleMs', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const verifier = createTokenVerifier({
      jwksUrl: jwks.url,
      jwksCache: { maxStaleMs: 60 * 60_000 },
    });
    expect(await codeOf(verifier, await token())).toBe('accepted');
    jwks.state.down = true;
    vi.setSystemTime(Date.now() + 61 * 60_000);
    expect(await codeOf(verifier, await token())).toBe(ErrorCode.Unavailable);
  });

  it('refetches for an unknown kid at most once per cooldown, then accepts a rotated-in key', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const verifier = createTokenVerifier({ jwksUrl: jwks.url });
    expect(await codeOf(verifier, await token())).toBe('accepted');
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    jwks.state.keys.push({
      ...(await exportJWK(rotated.publicKey)),
      kid: 'ec-2',
      alg: 'ES256',
      use: 'sig',
    });
    const rotatedToken = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'ec-2' })
        .setSubject('rotated')
        .setExpirationTime('5m')
        .sign(rotated.privateKey);
    expect(await codeOf(verifier, await rotatedToken())).toBe(ErrorCode.TokenInvalid);
    expect(jwks.state.requests).toBe(1);
    vi.setSystemTime(Date.now() + 31_000);
    expect(await codeOf(verifier, await rotatedToken())).toBe('accepted');
    expect(jwks.state.requests).toBe(2);
  });
});
