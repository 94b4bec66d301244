import { TEST_JWT_SECRET } from '../../../../tools/testing/index.mjs';
import { generateKeyPairSync } from 'node:crypto';
import { inject } from 'vitest';
import { SignJWT, type JWTPayload } from 'jose';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal } from '../support/clients';
import { startRealtimeApi } from './realtime-harness';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'herald-e2e';

describe('handshake with an ES256 public key, issuer and audience', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;

  const es256 = (claims: JWTPayload = {}) =>
    new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('es-user')
      .setExpirationTime('10m')
      .sign(privateKey);

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'), {
      JWT_SECRET: undefined,
      JWT_PUBLIC_KEY: publicPem.replace(/\n/g, '\\n'), // one line, as in an .env file
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      DEMO_AUTH: 'false',
    });
  });
  afterAll(async () => {
    await api?.stopAll();
  });

  it('accepts a token signed with the private key, with the right issuer and audience', async () => {
    const socket = await connectAuthenticated(api.url, { token: await es256() });
    socket.close();
  });

  it.each([
    ['a wrong audience', { aud: 'someone-else' }],
    ['a wrong issuer', { iss: 'https://evil.example' }],
  ])('refuses %s with TOKEN_INVALID', async (_name, claims) => {
    expect((await expectRefusal(api.url, { token: await es256(claims) })).data?.code).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses algorithm confusion: HS256 signed with the public key as secret', async () => {
    const forged = await new SignJWT({ iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(publicPem));
    expect((await expectRefusal(api.url, { token: forged })).data?.code).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses an HS256 token when no secret is configured', async () => {
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('es-user')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses a token of another key pair', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('es-user')
      .setExpirationTime('10m')
      .sign(other.privateKey);
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(ErrorCode.TokenInvalid);
  });
});
