import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import {
  bearerToken,
  MAX_TOKEN_LENGTH,
  TokenVerifier,
  type JwtVerificationOptions,
} from './token-verifier';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function sign(
  claims: JWTPayload,
  key: KeyObject | Uint8Array,
  alg: string,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, ...header }).sign(key);
}
const hs = (claims: JWTPayload, secret = SECRET) =>
  sign(claims, new TextEncoder().encode(secret), 'HS256');

async function codeOf(verifier: TokenVerifier, token: unknown): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    return (error as HeraldError).code;
  }
  throw new Error('token was accepted');
}

describe('TokenVerifier with an HS256 secret', () => {
  const verifier = new TokenVerifier({ secret: SECRET });

  it('accepts a valid token and reads sub, email, role and exp', async () => {
    const exp = now() + 600;
    const user = await verifier.verify(await hs({ sub: 'u1', email: 'a@b.c', role: 'admin', exp }));
    expect(user).toEqual({ userId: 'u1', email: 'a@b.c', role: 'admin', expiresAt: exp * 1000 });
  });

  it('accepts a token without exp and reports no expiry', async () => {
    expect((await verifier.verify(await hs({ sub: 'u1' }))).expiresAt).toBeNull();
  });

  it.each([undefined, null, ''])('answers TOKEN_MISSING to %j', async (token) => {
    expect(await codeOf(verifier, token)).toBe(ErrorCode.TokenMissing);
  });

  it.each([42, {}, ['a.b.c'], 'garbage', 'a.b.c', 'x'.repeat(MAX_TOKEN_LENGTH + 1)])(
    'answers TOKEN_INVALID to a malformed token (%#)',
    async (token) => {
      expect(await codeOf(verifier, token)).toBe(ErrorCode.TokenInvalid);
    },
  );

  it('refuses a huge but well-formed token before verifying it', async () => {
    const token = await hs({ sub: 'u1', pad: 'p'.repeat(MAX_TOKEN_LENGTH) });
    expect(await codeOf(verifier, token)).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses a token signed with another secret', async () => {
    expect(
      await codeOf(verifier, await hs({ sub: 'u1' }, 'another-secret-0123456789-0123456789')),
    ).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses alg:none, with or without a signature', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'u1', exp: now() + 60 })}.`;
    expect(await codeOf(verifier, unsigned)).toBe(ErrorCode.TokenInvalid);
    const valid = await hs({ sub: 'u1' });
    const forged = `${b64({ alg: 'none' })}.${valid.split('.')[1]}.${valid.split('.')[2]}`;
    expect(await codeOf(verifier, forged)).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await hs({ sub: 'u1' })).split('.');
    expect(await codeOf(verifier, `${header}.${b64({ sub: 'admin' })}.${signature}`)).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('answers TOKEN_EXPIRED past exp plus the 5 s tolerance, and accepts within it', async () => {
    expect(await codeOf(verifier, await hs({ sub: 'u1', exp: now() - 10 }))).toBe(
      ErrorCode.TokenExpired,
    );
    await expect(verifier.verify(await hs({ sub: 'u1', exp: now() - 2 }))).resolves.toMatchObject({
      userId: 'u1',
    });
  });

  it('answers TOKEN_INVALID to a token not yet valid (nbf), tolerating 5 s of clock skew', async () => {
    expect(await codeOf(verifier, await hs({ sub: 'u1', nbf: now() + 60 }))).toBe(
      ErrorCode.TokenInvalid,
    );
    await expect(verifier.verify(await hs({ sub: 'u1', nbf: now() + 2 }))).resolves.toBeTruthy();
  });

  it('never tolerates more than 5 s of skew, whatever is configured', async () => {
    const lenient = new TokenVerifier({ secret: SECRET, clockToleranceSeconds: 3600 });
    expect(lenient.clockToleranceMs).toBe(5_000);
    expect(await codeOf(lenient, await hs({ sub: 'u1', exp: now() - 60 }))).toBe(
      ErrorCode.TokenExpired,
    );
  });

  it.each([
    ['a numeric sub', { sub: 42 }],
    ['an empty sub', { sub: '' }],
    ['no sub', {}],
    ['an object sub', { sub: { id: 'u1' } }],
    ['a 300-character sub', { sub: 's'.repeat(300) }],
  ])('answers TOKEN_INVALID to %s', async (_name, claims) => {
    expect(await codeOf(verifier, await hs(claims as JWTPayload))).toBe(ErrorCode.TokenInvalid);
  });
});

describe('TokenVerifier with issuer and audience', () => {
  const verifier = new TokenVerifier({
    secret: SECRET,
    issuer: 'https://auth.example',
    audience: 'herald',
  });

  it('accepts the configured issuer and audience', async () => {
    await expect(
      verifier.verify(await hs({ sub: 'u1', iss: 'https://auth.example', aud: 'herald' })),
    ).resolves.toBeTruthy();
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example', aud: 'herald' }],
    ['a missing issuer', { aud: 'herald' }],
    ['a wrong audience', { iss: 'https://auth.example', aud: 'other' }],
    ['a missing audience', { iss: 'https://auth.example' }],
  ])('refuses %s with TOKEN_INVALID', async (_name, claims) => {
    expect(await codeOf(verifier, await hs({ sub: 'u1', ...claims }))).toBe(ErrorCode.TokenInvalid);
  });
});

describe.each([
  ['RSA', 'RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['EC P-256', 'ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
])('TokenVerifier with an %s public key', (_name, alg, generate) => {
  const { privateKey, publicKey } = generate();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const options: JwtVerificationOptions = { publicKey: publicPem };
  const verifier = new TokenVerifier(options);

  it(`accepts a token signed with the private key (${alg})`, async () => {
    await expect(
      verifier.verify(await sign({ sub: 'u1', exp: now() + 60 }, privateKey, alg)),
    ).resolves.toMatchObject({
      userId: 'u1',
    });
  });

  it('refuses a token signed by another key pair', async () => {
    const other = generate();
    expect(await codeOf(verifier, await sign({ sub: 'u1' }, other.privateKey, alg))).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses algorithm confusion: an HS256 token whose HMAC secret is the public key', async () => {
    const forged = await sign({ sub: 'admin' }, new TextEncoder().encode(publicPem), 'HS256');
    expect(await codeOf(verifier, forged)).toBe(ErrorCode.TokenInvalid);
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(await codeOf(verifier, await sign({ sub: 'admin' }, new Uint8Array(der), 'HS256'))).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses an HS256 token even when a secret is configured alongside, unless signed with that secret', async () => {
    const both = new TokenVerifier({ ...options, secret: SECRET });
    const forged = await sign({ sub: 'admin' }, new TextEncoder().encode(publicPem), 'HS256');
    expect(await codeOf(both, forged)).toBe(ErrorCode.TokenInvalid);
    await expect(both.verify(await hs({ sub: 'u1' }))).resolves.toBeTruthy();
  });

  it('refuses alg:none', async () => {
    expect(await codeOf(verifier, `${b64({ alg: 'none' })}.${b64({ sub: 'u1' })}.`)).toBe(
      ErrorCode.TokenInvalid,
    );
  });
});

describe('TokenVerifier configuration', () => {
  it('needs a secret, a public key or a JWKS URL', () => {
    expect(() => new TokenVerifier({})).toThrow(/secret, a public key or a JWKS URL/);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer   abc.def.ghi  ', 'abc.def.ghi'],
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['', undefined],
    [undefined, undefined],
    [['Bearer first', 'Bearer second'], 'first'],
  ])('reads %j as %j', (header, expected) => {
    expect(bearerToken(header as string | string[] | undefined)).toBe(expected);
  });
});
