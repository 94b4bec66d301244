import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { JwtService } from '@nestjs/jwt';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { TokenKeys } from './token-keys';
import {
  bearerToken,
  createJwtModuleOptions,
  createTokenVerifier,
  MAX_TOKEN_LENGTH,
  type JwtVerificationOptions,
  TokenVerifier,
} from './token-verifier';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs with jose (hostile tokens included); an `exp` ten minutes out unless given. */
async function sign(
  claims: JWTPayload,
  key: KeyObject | Uint8Array,
  alg: string,
  header: Record<string, unknown> = {},
): Promise<string> {
  const withExp = 'exp' in claims ? claims : { ...claims, exp: now() + 600 };
  return new SignJWT(withExp).setProtectedHeader({ alg, ...header }).sign(key);
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
  const verifier = createTokenVerifier({ secret: SECRET });

  it('accepts a valid token and reads sub, email, role and exp', async () => {
    const exp = now() + 600;
    const user = await verifier.verify(await hs({ sub: 'u1', email: 'a@b.c', role: 'admin', exp }));
    expect(user).toEqual({ userId: 'u1', email: 'a@b.c', role: 'admin', expiresAt: exp * 1000 });
  });

  it('refuses a token without exp (RFC 8725: every token must expire)', async () => {
    expect(await codeOf(verifier, await hs({ sub: 'u1', exp: undefined }))).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses exp that is not a number', async () => {
    expect(await codeOf(verifier, await hs({ sub: 'u1', exp: 'never' as unknown as number }))).toBe(
      ErrorCode.TokenInvalid,
    );
  });

  it('refuses an unknown critical header, even correctly signed', async () => {
    // By hand: jose refuses to produce a header with an extension it does not know.
    const input = `${b64({ alg: 'HS256', crit: ['herald-admin'], 'herald-admin': true })}.${b64({ sub: 'u1', exp: now() + 600 })}`;
    const token = `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    expect(await codeOf(verifier, token)).toBe(ErrorCode.TokenInvalid);
  });

  it('refuses HS384/HS512 signed with the right secret: only HS256 is pinned', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const token = await sign({ sub: 'u1' }, new TextEncoder().encode(SECRET), alg);
      expect(await codeOf(verifier, token)).toBe(ErrorCode.TokenInvalid);
    }
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
    const lenient = createTokenVerifier({ secret: SECRET, clockToleranceSeconds: 3600 });
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
    ['a sub with a leading space', { sub: ' u1' }],
    ['a sub with a trailing space', { sub: 'u1 ' }],
    ['a sub holding a NUL', { sub: 'u\u00001' }],
    ['a whitespace-only sub', { sub: '   ' }],
    ['a numeric email', { sub: 'u1', email: 7 }],
  ])('answers TOKEN_INVALID to %s', async (_name, claims) => {
    expect(await codeOf(verifier, await hs(claims as JWTPayload))).toBe(ErrorCode.TokenInvalid);
  });
});

describe('TokenVerifier with issuer and audience', () => {
  const verifier = createTokenVerifier({
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
  const verifier = createTokenVerifier(options);

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
    const both = createTokenVerifier({ ...options, secret: SECRET });
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

describe('TokenVerifier with configured claims', () => {
  const verifier = createTokenVerifier({
    secret: SECRET,
    userIdClaim: 'https://herald.dev/user_id',
    emailClaim: 'mail',
  });

  it('reads the user id and e-mail from the configured claims, not sub/email', async () => {
    const token = await hs({
      sub: 'auth0|opaque-subject',
      'https://herald.dev/user_id': 'ana',
      mail: 'ana@herald.dev',
      email: 'not-this@example.com',
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      userId: 'ana',
      email: 'ana@herald.dev',
    });
  });

  it('refuses a token whose configured user-id claim is missing, even with a sub', async () => {
    expect(await codeOf(verifier, await hs({ sub: 'ana' }))).toBe(ErrorCode.TokenInvalid);
  });

  it('applies the user-id rules to the configured claim', async () => {
    expect(await codeOf(verifier, await hs({ 'https://herald.dev/user_id': ' ana' }))).toBe(
      ErrorCode.TokenInvalid,
    );
  });
});

describe('TokenVerifier configuration', () => {
  it('needs a secret, a public key or a JWKS URL', () => {
    expect(() => createTokenVerifier({})).toThrow(/secret, a public key or a JWKS URL/);
  });

  it.each([
    ['garbage', 'not a key', /not a PEM public key/],
    [
      'a private key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /not a private key/,
    ],
    [
      'an Ed25519 key',
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      /RSA or EC/,
    ],
  ])('refuses %s as the public key with a one-line message', (_name, publicKey, message) => {
    expect(() => createTokenVerifier({ publicKey })).toThrow(message);
  });
});

describe('Demo signing through the same JwtService', () => {
  it('signs HS256 tokens the verifier accepts, with the configured issuer and audience', async () => {
    const keys = new TokenKeys({ secret: SECRET });
    const options = { secret: SECRET, issuer: 'https://auth.example', audience: 'herald' };
    const jwt = new JwtService(createJwtModuleOptions(keys, options));
    const token = await jwt.signAsync({ sub: 'u1', exp: now() + 60 });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({
      alg: 'HS256',
    });
    await expect(createTokenVerifier(options).verify(token)).resolves.toMatchObject({
      userId: 'u1',
    });
  });

  it('cannot sign without a secret', async () => {
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const keys = new TokenKeys({ publicKey });
    const jwt = new JwtService(createJwtModuleOptions(keys, { publicKey }));
    expect(() => jwt.signAsync({ sub: 'u1' })).toThrow(/secret/);
  });
});

describe('The JwtService of the module options', () => {
  const keys = new TokenKeys({ secret: SECRET });
  const jwt = new JwtService(createJwtModuleOptions(keys, { secret: SECRET }));

  it('verifies a token with a configured key synchronously too (JwtService.verify)', async () => {
    const token = await hs({ sub: 'u1' });
    expect(jwt.verify(token)).toMatchObject({ sub: 'u1' });
  });

  it('still rejects, never throws, from verifyAsync for a malformed or unaccepted token', async () => {
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'u1', exp: now() + 60 })}.`;
    for (const token of ['not-a-jwt', none]) {
      let outcome: Promise<unknown> | undefined;
      expect(() => (outcome = jwt.verifyAsync(token))).not.toThrow();
      await expect(outcome).rejects.toBeInstanceOf(HeraldError);
    }
  });

  it('gives the verifier the same verdicts with or without the keys (sync or async path)', async () => {
    const withKeys = createTokenVerifier({ secret: SECRET });
    const withoutKeys = new TokenVerifier(jwt, { secret: SECRET });
    const tokens = [
      await hs({ sub: 'u1' }),
      await hs({ sub: 'u1', exp: now() - 60 }),
      await hs({ sub: 'u1', nbf: now() + 600 }),
      await hs({ sub: 'u1' }, 'another-secret-that-is-long-enough-0123456789'),
    ];
    for (const token of tokens) {
      const verdict = (verifier: TokenVerifier) =>
        verifier.verify(token).then(
          (user) => user.userId,
          (error: HeraldError) => error.code,
        );
      expect(await verdict(withKeys)).toBe(await verdict(withoutKeys));
    }
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
