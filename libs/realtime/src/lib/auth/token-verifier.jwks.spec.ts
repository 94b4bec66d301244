import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { TokenVerifier } from './token-verifier';

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
    verifier = new TokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
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
    const unreachable = new TokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks.json` });
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
