import {
  type ApiProcess,
  startApi,
  TEST_JWT_SECRET,
  unsignedToken,
} from '../../../../tools/testing/index.mjs';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT, type JWTHeaderParameters } from 'jose';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal } from '../support/clients';
import { Bystander, call } from './hardening-harness';

/**
 * The JWT attack catalogue, run against the Socket.IO handshake AND an HTTP user endpoint
 * of the same process. Each attack must be refused with the documented code, and after
 * each one the process must still serve a connected bystander normally.
 */

const ISSUER = 'https://auth.herald.test';
const AUDIENCE = 'herald-api';
const secret = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

interface SignOptions {
  header?: Partial<JWTHeaderParameters> & Record<string, unknown>;
  claims?: Record<string, unknown>;
  key?: Parameters<SignJWT['sign']>[0];
}

/** A token for the issuer/audience-checking API; every part can be overridden. */
function sign({ header = {}, claims = {}, key = secret }: SignOptions = {}): Promise<string> {
  return new SignJWT({
    sub: 'attacker',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header } as JWTHeaderParameters)
    .sign(key);
}

/** HS256 by hand, for headers jose refuses to produce. */
function hmacSigned(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', TEST_JWT_SECRET).update(input).digest('base64url')}`;
}

/** Swaps the payload of a signed token while keeping its signature (tampering). */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(claims)}.${signature}`;
}

type Attack = [name: string, token: () => Promise<string> | string, code: string];

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

const HS_ATTACKS: Attack[] = [
  [
    'alg none',
    () => unsignedToken({ sub: 'attacker', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 }),
    ErrorCode.TokenInvalid,
  ],
  [
    'alg "None" (case trick)',
    () => `${b64({ alg: 'None', typ: 'JWT' })}.${b64({ sub: 'attacker', exp: now() + 600 })}.`,
    ErrorCode.TokenInvalid,
  ],
  [
    'alg none with a stolen HS256 signature',
    async () => {
      const real = await sign();
      return `${b64({ alg: 'none' })}.${real.split('.')[1]}.${real.split('.')[2]}`;
    },
    ErrorCode.TokenInvalid,
  ],
  [
    'a signature stripped from an HS256 token',
    async () => (await sign()).replace(/\.[^.]+$/, '.'),
    ErrorCode.TokenInvalid,
  ],
  [
    'a tampered payload (sub changed, signature kept)',
    async () =>
      tamper(await sign(), { sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 }),
    ErrorCode.TokenInvalid,
  ],
  [
    'another secret',
    () => sign({ key: new TextEncoder().encode('not-the-secret-but-long-enough-0123456789') }),
    ErrorCode.TokenInvalid,
  ],
  [
    'HS512 with the right secret (algorithm not allowed)',
    () => sign({ header: { alg: 'HS512' } }),
    ErrorCode.TokenInvalid,
  ],
  [
    'RS256 signed by an attacker key',
    () => sign({ header: { alg: 'RS256' }, key: attacker.privateKey }),
    ErrorCode.TokenInvalid,
  ],
  [
    'an embedded jwk header with the attacker key',
    async () =>
      sign({
        header: { alg: 'RS256', jwk: await exportJWK(attacker.publicKey) },
        key: attacker.privateKey,
      }),
    ErrorCode.TokenInvalid,
  ],
  [
    'a jku header pointing at an attacker JWKS',
    () =>
      sign({
        header: { alg: 'RS256', jku: 'http://127.0.0.1:9/jwks.json' },
        key: attacker.privateKey,
      }),
    ErrorCode.TokenInvalid,
  ],
  [
    'kid path traversal signed with an empty-file key',
    () => sign({ header: { kid: '../../../../../../dev/null' }, key: new Uint8Array(32) }),
    ErrorCode.TokenInvalid,
  ],
  [
    'kid SQL injection signed with the injected key',
    () =>
      sign({
        header: { kid: "x' UNION SELECT 'attacker-key' --" },
        key: new TextEncoder().encode('attacker-key-attacker-key-attacker'),
      }),
    ErrorCode.TokenInvalid,
  ],
  [
    'an unknown critical header (correctly signed)',
    () =>
      hmacSigned(
        { alg: 'HS256', crit: ['herald-admin'], 'herald-admin': true },
        { sub: 'attacker', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 },
      ),
    ErrorCode.TokenInvalid,
  ],
  ['no sub', () => sign({ claims: { sub: undefined } }), ErrorCode.TokenInvalid],
  ['a numeric sub', () => sign({ claims: { sub: 42 } }), ErrorCode.TokenInvalid],
  ['an empty sub', () => sign({ claims: { sub: '' } }), ErrorCode.TokenInvalid],
  ['an array sub', () => sign({ claims: { sub: ['a', 'b'] } }), ErrorCode.TokenInvalid],
  ['an object sub', () => sign({ claims: { sub: { $ne: null } } }), ErrorCode.TokenInvalid],
  ['a 300-character sub', () => sign({ claims: { sub: 'u'.repeat(300) } }), ErrorCode.TokenInvalid],
  [
    'a wrong issuer',
    () => sign({ claims: { iss: 'https://evil.example' } }),
    ErrorCode.TokenInvalid,
  ],
  ['no issuer', () => sign({ claims: { iss: undefined } }), ErrorCode.TokenInvalid],
  ['a wrong audience', () => sign({ claims: { aud: 'another-api' } }), ErrorCode.TokenInvalid],
  ['no audience', () => sign({ claims: { aud: undefined } }), ErrorCode.TokenInvalid],
  [
    'nbf one minute in the future',
    () => sign({ claims: { nbf: now() + 60 } }),
    ErrorCode.TokenInvalid,
  ],
  ['exp one minute ago', () => sign({ claims: { exp: now() - 60 } }), ErrorCode.TokenExpired],
  ['exp as a string', () => sign({ claims: { exp: 'never' } }), ErrorCode.TokenInvalid],
  [
    'a 9 kB token (over the length cap)',
    () => sign({ claims: { pad: 'x'.repeat(9_000) } }),
    ErrorCode.TokenInvalid,
  ],
  ['four segments', async () => `${await sign()}.extra`, ErrorCode.TokenInvalid],
  [
    'a five-segment JWE-shaped token',
    () => `${b64({ alg: 'dir', enc: 'A256GCM' })}..${b64('iv')}.${b64('ct')}.${b64('tag')}`,
    ErrorCode.TokenInvalid,
  ],
  [
    'a header that is not JSON',
    () => `${b64('not json')}.${b64({ sub: 'attacker' })}.sig`,
    ErrorCode.TokenInvalid,
  ],
  ['unicode garbage', () => 'ʇoʞǝu.💣.\u202e', ErrorCode.TokenInvalid],
];

describe('JWT attacks (HS256 with JWT_ISSUER and JWT_AUDIENCE set)', () => {
  let api: ApiProcess;
  let bystander: Bystander;

  beforeAll(async () => {
    api = await startApi({
      env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'verbose' },
    });
    bystander = await Bystander.connectWithToken(
      api,
      'hs-bystander',
      await sign({ claims: { sub: 'hs-bystander', exp: now() + 3_600 } }),
    );
  });
  afterEach(async () => {
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await api?.stop();
  });

  it('accepts a well-formed token with the right issuer and audience (control)', async () => {
    const token = await sign({ claims: { sub: 'jwt-control' } });
    const socket = await connectAuthenticated(api.url, { token });
    socket.close();
    expect((await call(api, 'GET', '/api/notifications/unread-count', { token })).status).toBe(200);
  });

  it.each(HS_ATTACKS)('refuses %s at the handshake and on HTTP', async (_name, make, code) => {
    const token = await make();
    const refusal = await expectRefusal(api.url, { token });
    expect(refusal.data?.code).toBe(code);
    expect(refusal.message).toEqual(expect.any(String));
    // HTTP headers only carry Latin-1; the unicode case is a handshake-only attack.
    if (!/^[\x20-\x7e]*$/.test(token)) return;
    const viaHeader = await expectRefusal(api.url, { token, viaHeader: true });
    expect(viaHeader.data?.code).toBe(code);

    const http = await call(api, 'GET', '/api/notifications/unread-count', { token });
    expect(http.status).toBe(401);
    expect(http.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code });
  });

  it('answers an Authorization header over the server header limit with 431, and stays up', async () => {
    const res = await fetch(`${api.url}/api/notifications/unread-count`, {
      headers: { authorization: `Bearer ${'a'.repeat(64_000)}` },
    });
    expect(res.status).toBe(431);
    await res.text();
  });

  it('refuses a huge auth.token in the handshake without reading it', async () => {
    const refusal = await expectRefusal(api.url, { token: 'eyJ'.padEnd(60_000, 'A') });
    expect(refusal.data?.code).toBe(ErrorCode.TokenInvalid);
  });

  it.each([
    ['no Authorization header', {}, ErrorCode.TokenMissing],
    ['"Bearer" with nothing after it', { authorization: 'Bearer' }, ErrorCode.TokenMissing],
    ['Basic credentials', { authorization: 'Basic YWRtaW46YWRtaW4=' }, ErrorCode.TokenInvalid],
    ['two tokens', { authorization: 'Bearer a.b.c Bearer d.e.f' }, ErrorCode.TokenInvalid],
  ] as const)('answers %s on HTTP with 401', async (_name, headers, code) => {
    const http = await call(api, 'GET', '/api/notifications', { headers: { ...headers } });
    expect(http.status).toBe(401);
    expect(http.body).toMatchObject({ statusCode: 401, code });
  });

  it('never writes a refused or accepted token to the logs, even at LOG_LEVEL=verbose', async () => {
    const refused = await sign({ claims: { sub: 'log-refused', iss: 'https://evil.example' } });
    const accepted = await sign({ claims: { sub: 'log-accepted' } });
    await expectRefusal(api.url, { token: refused });
    await call(api, 'GET', '/api/notifications', { token: refused });
    (await connectAuthenticated(api.url, { token: accepted })).close();
    await call(api, 'GET', '/api/notifications', { token: accepted });
    await new Promise((r) => setTimeout(r, 200));
    const logs = api.logs.join('\n');
    for (const token of [refused, accepted]) {
      const [header, payload, signature] = token.split('.');
      expect(logs).not.toContain(signature);
      expect(logs).not.toContain(`${header}.${payload}`);
    }
    expect(logs).not.toContain(TEST_JWT_SECRET);
  });
});

describe('JWT attacks (RS256 with JWT_PUBLIC_KEY)', () => {
  const issuerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = issuerKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let api: ApiProcess;
  let bystander: Bystander;

  const rs = (
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    key: Parameters<SignJWT['sign']>[0] = issuerKeys.privateKey,
  ) =>
    new SignJWT({ sub: 'rs-user', exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', ...header } as JWTHeaderParameters)
      .sign(key);

  beforeAll(async () => {
    api = await startApi({
      env: { JWT_SECRET: undefined, JWT_PUBLIC_KEY: publicPem, DEMO_AUTH: 'false' },
    });
    bystander = await Bystander.connectWithToken(
      api,
      'rs-bystander',
      await rs({ sub: 'rs-bystander', exp: now() + 3_600 }),
    );
  });
  afterEach(async () => {
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await api?.stop();
  });

  it('accepts a token signed by the issuer key (control)', async () => {
    const token = await rs();
    (await connectAuthenticated(api.url, { token })).close();
    expect((await call(api, 'GET', '/api/notifications/unread-count', { token })).status).toBe(200);
  });

  const RS_ATTACKS: Attack[] = [
    // The classic algorithm confusion: HMAC keyed with the server's own public key.
    [
      'HS256 signed with the public key PEM as the HMAC secret',
      () =>
        new SignJWT({ sub: 'rs-confused', exp: now() + 600 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(publicPem)),
      ErrorCode.TokenInvalid,
    ],
    [
      'HS256 signed with the public key DER as the HMAC secret',
      () =>
        new SignJWT({ sub: 'rs-confused', exp: now() + 600 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new Uint8Array(issuerKeys.publicKey.export({ type: 'spki', format: 'der' }))),
      ErrorCode.TokenInvalid,
    ],
    [
      'HS256 signed with the old test secret',
      () =>
        new SignJWT({ sub: 'rs-confused', exp: now() + 600 })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(secret),
      ErrorCode.TokenInvalid,
    ],
    ['alg none', () => unsignedToken({ sub: 'rs-none', exp: now() + 600 }), ErrorCode.TokenInvalid],
    ['RS256 signed by another key', () => rs({}, {}, attacker.privateKey), ErrorCode.TokenInvalid],
    [
      'RS256 with an embedded jwk of another key',
      async () => rs({}, { jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey),
      ErrorCode.TokenInvalid,
    ],
    [
      'RS256 with a kid naming another key',
      () => rs({}, { kid: 'attacker-key' }, attacker.privateKey),
      ErrorCode.TokenInvalid,
    ],
    ['RS256 with a numeric sub', () => rs({ sub: 7 }), ErrorCode.TokenInvalid],
    ['RS256 expired', () => rs({ exp: now() - 60 }), ErrorCode.TokenExpired],
    ['RS256 not yet valid', () => rs({ nbf: now() + 60 }), ErrorCode.TokenInvalid],
  ];

  it.each(RS_ATTACKS)('refuses %s at the handshake and on HTTP', async (_name, make, code) => {
    const token = await make();
    expect((await expectRefusal(api.url, { token })).data?.code).toBe(code);
    const http = await call(api, 'GET', '/api/notifications/unread-count', { token });
    expect(http.status).toBe(401);
    expect(http.body).toMatchObject({ statusCode: 401, code });
  });
});
