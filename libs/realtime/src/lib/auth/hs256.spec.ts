import { createHmac } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { describe, expect, it, vi } from 'vitest';
import { HeraldError } from '@herald/ws-contracts';
import { TokenKeys } from './token-keys';
import {
  createJwtModuleOptions,
  TokenVerifier,
  type JwtVerificationOptions,
} from './token-verifier';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const json = (value: unknown) => b64(JSON.stringify(value));

/** A token from raw parts, signed with HMAC-SHA256 over them as they are. */
function signed(header: string, payload: string, secret = SECRET, algorithm = 'sha256'): string {
  const input = `${header}.${payload}`;
  return `${input}.${createHmac(algorithm, secret).update(input).digest('base64url')}`;
}
const HS256 = json({ alg: 'HS256', typ: 'JWT' });
const hs = (claims: Record<string, unknown>, secret = SECRET) =>
  signed(HS256, json({ exp: now() + 600, ...claims }), secret);

/** Every kind of token an HS256 verifier has to judge, hostile ones included. */
function tokens(): Array<[string, string]> {
  const valid = hs({ sub: 'u1', email: 'u1@example.com', role: 'admin' });
  const [header, payload, signature] = valid.split('.');
  return [
    ['valid', valid],
    ['without typ', signed(json({ alg: 'HS256' }), json({ sub: 'u1', exp: now() + 60 }))],
    ['expired', hs({ sub: 'u1', exp: now() - 60 })],
    ['expired within the tolerance', hs({ sub: 'u1', exp: now() - 3 })],
    ['exp now', hs({ sub: 'u1', exp: now() })],
    ['exp not a number', hs({ sub: 'u1', exp: 'tomorrow' })],
    ['without exp', signed(HS256, json({ sub: 'u1' }))],
    ['nbf in the future', hs({ sub: 'u1', nbf: now() + 600 })],
    ['nbf within the tolerance', hs({ sub: 'u1', nbf: now() + 3 })],
    ['nbf not a number', hs({ sub: 'u1', nbf: 'soon' })],
    ['another secret', hs({ sub: 'u1' }, OTHER_SECRET)],
    ['expired and another secret', hs({ sub: 'u1', exp: now() - 60 }, OTHER_SECRET)],
    ['tampered payload', `${header}.${json({ sub: 'admin', exp: now() + 600 })}.${signature}`],
    ['signature with a character more', `${valid}A`],
    ['signature padded', `${valid}=`],
    ['signature cut short', valid.slice(0, -1)],
    ['no signature', `${header}.${payload}.`],
    ['alg none', `${json({ alg: 'none' })}.${payload}.`],
    ['alg none with a signature', `${json({ alg: 'none' })}.${payload}.${signature}`],
    ['HS384 with the secret', signed(json({ alg: 'HS384' }), payload, SECRET, 'sha384')],
    ['HS512 with the secret', signed(json({ alg: 'HS512' }), payload, SECRET, 'sha512')],
    ['four parts', `${valid}.${signature}`],
    ['two parts', `${header}.${payload}`],
    ['whitespace inside', `${header}. ${payload}.${signature}`],
    ['payload not JSON (typ JWT)', signed(HS256, b64('not json'))],
    ['payload a JSON string', signed(HS256, json('u1'))],
    ['payload a JSON array', signed(HS256, json([1, 2]))],
    ['payload null', signed(HS256, json(null))],
    ['header not JSON', signed(b64('{alg:HS256'), payload)],
    ['sub empty', hs({ sub: '' })],
    ['sub with spaces around', hs({ sub: ' u1 ' })],
    ['sub a number', hs({ sub: 42 })],
    ['email not a string', hs({ sub: 'u1', email: 7 })],
    ['crit header', signed(json({ alg: 'HS256', crit: ['b64'], b64: false }), payload)],
    ['issuer and audience', hs({ sub: 'u1', iss: 'https://issuer.test', aud: 'herald' })],
    ['audience in a list', hs({ sub: 'u1', iss: 'https://issuer.test', aud: ['x', 'herald'] })],
    ['another audience', hs({ sub: 'u1', iss: 'https://issuer.test', aud: 'other' })],
    ['audience missing', hs({ sub: 'u1', iss: 'https://issuer.test' })],
    ['another issuer', hs({ sub: 'u1', iss: 'https://evil.test', aud: 'herald' })],
    ['issuer missing', hs({ sub: 'u1', aud: 'herald' })],
  ];
}

/** Tokens jsonwebtoken refuses by throwing on them: JSON.parse, or reading a claim of null. */
const JSONWEBTOKEN_CRASHES = new Set(['payload not JSON (typ JWT)', 'payload null']);

/** The `alg` of a token's header, when it has a readable one. */
function algOf(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg;
  } catch {
    return undefined;
  }
}

/** What a verifier makes of a token: the user it reads, or the error it answers. */
async function verdict(verifier: TokenVerifier, token: string): Promise<unknown> {
  try {
    return { user: await verifier.verify(token) };
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    const { code, message } = error as HeraldError;
    return { code, message };
  }
}

describe.each<[string, JwtVerificationOptions]>([
  ['a secret', { secret: SECRET }],
  [
    'a secret, an issuer and an audience',
    { secret: SECRET, issuer: 'https://issuer.test', audience: 'herald' },
  ],
  ['a secret and a 0 s tolerance', { secret: SECRET, clockToleranceSeconds: 0 }],
])('verifyHs256, with %s', (_name, options) => {
  // The same options through jsonwebtoken: a verifier without TokenKeys always goes there.
  const throughJsonwebtoken = new TokenVerifier(
    new JwtService(createJwtModuleOptions(new TokenKeys(options), options)),
    options,
  );
  // As createTokenVerifier builds it, with its JwtService watched: an HS256 token must never
  // reach jsonwebtoken there, or this spec would compare jsonwebtoken with itself.
  const keys = new TokenKeys(options);
  const directJwt = new JwtService(createJwtModuleOptions(keys, options));
  const verify = vi.spyOn(directJwt, 'verify');
  const verifyAsync = vi.spyOn(directJwt, 'verifyAsync');
  const direct = new TokenVerifier(directJwt, options, keys);

  it.each(tokens())('judges a token (%s) as jsonwebtoken does', async (name, token) => {
    const expected = await verdict(throughJsonwebtoken, token);
    verify.mockClear();
    verifyAsync.mockClear();
    const actual = await verdict(direct, token);
    if (algOf(token) === 'HS256') {
      expect(verify).not.toHaveBeenCalled();
      expect(verifyAsync).not.toHaveBeenCalled();
    }
    if (JSONWEBTOKEN_CRASHES.has(name)) {
      // Both refuse it; jsonwebtoken by a SyntaxError or TypeError, with no message to match.
      expect(actual).toMatchObject({ code: (expected as { code: string }).code });
      return;
    }
    expect(actual).toEqual(expected);
  });
});
