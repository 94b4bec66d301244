import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLocalJWKSet, decodeJwt, exportJWK, jwtVerify } from 'jose';
import { DEVELOPMENT_SECRET, USAGE } from './mint.mjs';

const MINT = resolve(import.meta.dirname, 'mint.mjs');
const SECRET = 'a-secret-that-is-long-enough-for-hs256-0123456789';
const secretKey = (secret) => new TextEncoder().encode(secret);

/** Runs the CLI as `npm run token` does, in a directory without a .env unless given one. */
function mint(args, { env = {}, cwd } = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('JWT_') && name !== 'NODE_ENV'),
  );
  return spawnSync(process.execPath, [MINT, ...args], {
    cwd: cwd ?? scratch,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
}

let scratch;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'herald-token-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run token', () => {
  it('signs with JWT_SECRET: sub, email and a one-hour lifetime by default', async () => {
    const run = mint(['ana', '--email', 'ana@example.com'], { env: { JWT_SECRET: SECRET } });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const { payload, protectedHeader } = await jwtVerify(run.stdout.trim(), secretKey(SECRET));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: 'ana', email: 'ana@example.com' });
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('honours --ttl in seconds, minutes, hours and days', () => {
    for (const [ttl, seconds] of [
      ['90', 90],
      ['90s', 90],
      ['15m', 900],
      ['2h', 7200],
      ['7d', 604_800],
    ]) {
      const run = mint(['ana', `--ttl=${ttl}`], { env: { JWT_SECRET: SECRET } });
      const { exp, iat } = decodeJwt(run.stdout.trim());
      expect(exp - iat, ttl).toBe(seconds);
    }
  });

  it('falls back to the development secret the API uses when nothing is configured', async () => {
    const run = mint(['dev-user']);
    expect(run.status).toBe(0);
    const { payload } = await jwtVerify(run.stdout.trim(), secretKey(DEVELOPMENT_SECRET));
    expect(payload.sub).toBe('dev-user');
    expect(payload.email).toBeUndefined();
  });

  it('reads ./.env, and the environment wins over it', async () => {
    const dir = mkdtempSync(join(scratch, 'dotenv-'));
    writeFileSync(join(dir, '.env'), `JWT_SECRET=${SECRET}\nJWT_ISSUER=https://auth.example.com\n`);
    const fromFile = mint(['ana'], { cwd: dir });
    const { payload } = await jwtVerify(fromFile.stdout.trim(), secretKey(SECRET), {
      issuer: 'https://auth.example.com',
    });
    expect(payload.sub).toBe('ana');

    const overridden = mint(['ana'], { cwd: dir, env: { JWT_SECRET: `${SECRET}-other` } });
    await expect(jwtVerify(overridden.stdout.trim(), secretKey(SECRET))).rejects.toThrow();
    await jwtVerify(overridden.stdout.trim(), secretKey(`${SECRET}-other`));
  });

  it('sets iss and aud, and the claim names the API is configured to read', async () => {
    const env = {
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'https://auth.example.com',
      JWT_AUDIENCE: 'herald',
      JWT_USER_ID_CLAIM: 'uid',
      JWT_EMAIL_CLAIM: 'mail',
    };
    const run = mint(['ana', '--email', 'ana@example.com'], { env });
    const { payload } = await jwtVerify(run.stdout.trim(), secretKey(SECRET), {
      issuer: 'https://auth.example.com',
      audience: 'herald',
    });
    expect(payload).toMatchObject({ uid: 'ana', mail: 'ana@example.com' });
    expect(payload.sub).toBeUndefined();
  });

  it('signs RS256 with JWT_PRIVATE_KEY_FILE and ES256 with an inline JWT_PRIVATE_KEY', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(scratch, 'rsa.pem');
    writeFileSync(keyFile, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const rs = mint(['ana'], { env: { JWT_PRIVATE_KEY_FILE: keyFile, JWT_SECRET: SECRET } });
    const rsVerified = await jwtVerify(rs.stdout.trim(), rsa.publicKey);
    expect(rsVerified.protectedHeader.alg).toBe('RS256');

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const inlinePem = String(ec.privateKey.export({ type: 'pkcs8', format: 'pem' })).replace(
      /\n/g,
      '\\n',
    );
    const es = mint(['ana'], { env: { JWT_PRIVATE_KEY: inlinePem } });
    const jwks = createLocalJWKSet({
      keys: [{ ...(await exportJWK(ec.publicKey)), alg: 'ES256' }],
    });
    const esVerified = await jwtVerify(es.stdout.trim(), jwks);
    expect(esVerified.protectedHeader.alg).toBe('ES256');
    expect(esVerified.payload.sub).toBe('ana');
  });

  it.each([
    [[], 'userId is missing'],
    [['ana', 'bob'], 'unexpected argument "bob"'],
    [['ana', '--role', 'admin'], 'unknown option --role'],
    [['ana', '--email'], '--email needs a value'],
    [['ana', '--ttl', 'soon'], '--ttl must be a duration'],
    [['ana', '--ttl', '0'], '--ttl must be a duration'],
    [['ana', '--ttl', '31d'], '--ttl must be a duration'],
  ])('refuses %j with exit code 2 and the usage line', (args, message) => {
    const run = mint(args, { env: { JWT_SECRET: SECRET } });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(USAGE);
  });

  it.each([
    [
      { NODE_ENV: 'production' },
      'JWT_SECRET or JWT_PRIVATE_KEY is required when NODE_ENV=production',
    ],
    [{ JWT_PUBLIC_KEY: 'pem' }, 'set the matching JWT_PRIVATE_KEY'],
    [{ JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' }, 'cannot read /nonexistent/key.pem'],
    [{ JWT_PRIVATE_KEY: 'not a key' }, 'JWT_PRIVATE_KEY is not a PEM private key'],
  ])('refuses the configuration %j with exit code 1', (env, message) => {
    const run = mint(['ana'], { env });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  it('is what `npm run token` runs', () => {
    const manifest = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'),
    );
    expect(manifest.scripts.token).toBe('node tools/token/mint.mjs');
  });
});
