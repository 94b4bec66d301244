#!/usr/bin/env node
// `npm run -s token -- <userId> [--email <email>] [--ttl <duration>]` prints a user token
// that the API configured by the same environment (and ./.env) accepts:
//   JWT_PRIVATE_KEY / JWT_PRIVATE_KEY_FILE  RS256 (RSA key) or ES256 (P-256 key), the
//                                           counterpart of the API's JWT_PUBLIC_KEY / JWKS;
//   JWT_SECRET                              HS256;
//   neither                                 the API's built-in development secret (refused
//                                           when NODE_ENV=production, as by the API).
// JWT_ISSUER / JWT_AUDIENCE become iss / aud; JWT_USER_ID_CLAIM / JWT_EMAIL_CLAIM name the
// claims that carry the user id and e-mail (sub / email by default).
// Exit codes: 0 token printed, 2 bad arguments (with the usage line), 1 bad configuration.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { JwtService } from '@nestjs/jwt';
import { loadDotEnv } from '../dev/build-if-stale.mjs';

/** The API's development fallback (apps/api config); tokens signed with it work only there. */
export const DEVELOPMENT_SECRET = 'herald-development-secret-do-not-use-in-production';
export const USAGE =
  'usage: npm run -s token -- <userId> [--email <email>] [--ttl <duration: 90s, 15m, 1h, 7d>]';
const DEFAULT_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 30 * 24 * 3600;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A problem the caller can fix; `exitCode` 2 for arguments, 1 for configuration. */
export class MintError extends Error {
  constructor(message, exitCode) {
    super(message);
    this.name = 'MintError';
    this.exitCode = exitCode;
  }
}

/** Parses `<userId> [--email e] [--ttl 1h]` (also `--email=e`). */
export function parseArgs(argv) {
  const options = { userId: undefined, email: undefined, ttlSeconds: DEFAULT_TTL_SECONDS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new MintError(`${flag} needs a value`, 2);
      return v;
    };
    if (flag === '--email') options.email = value();
    else if (flag === '--ttl') options.ttlSeconds = parseTtl(value());
    else if (flag.startsWith('-')) throw new MintError(`unknown option ${flag}`, 2);
    else if (options.userId !== undefined) throw new MintError(`unexpected argument "${arg}"`, 2);
    else if (arg.trim() === '') throw new MintError('userId must not be empty', 2);
    else options.userId = arg;
  }
  if (options.userId === undefined) throw new MintError('userId is missing', 2);
  return options;
}

/** `3600`, `90s`, `15m`, `1h`, `7d` → seconds, at most 30 days. */
export function parseTtl(text) {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's'] : NaN;
  if (!(seconds > 0 && seconds <= MAX_TTL_SECONDS)) {
    throw new MintError(
      `--ttl must be a duration such as 90s, 15m, 1h or 7d (at most 30d), got "${text}"`,
      2,
    );
  }
  return seconds;
}

/** Which key signs, from the environment: a private key, else the secret, else the dev secret. */
export function signingKeyFrom(env) {
  const inline = env.JWT_PRIVATE_KEY?.trim();
  const file = env.JWT_PRIVATE_KEY_FILE?.trim();
  if (inline && file)
    throw new MintError('set only one of JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE', 1);
  if (inline || file) {
    let pem;
    try {
      pem = inline ? inline.replace(/\\n/g, '\n') : readFileSync(file, 'utf8');
    } catch (error) {
      throw new MintError(
        `JWT_PRIVATE_KEY_FILE: cannot read ${file} (${error.code ?? error.message})`,
        1,
      );
    }
    let key;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new MintError(
        `${inline ? 'JWT_PRIVATE_KEY' : 'JWT_PRIVATE_KEY_FILE'} is not a PEM private key`,
        1,
      );
    }
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType === 'rsa') return { algorithm: 'RS256', privateKey: pem };
    if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1')
      return { algorithm: 'ES256', privateKey: pem };
    throw new MintError('the private key must be RSA (RS256) or EC P-256 (ES256)', 1);
  }
  if (env.JWT_SECRET) return { algorithm: 'HS256', secret: env.JWT_SECRET };
  if (env.JWT_PUBLIC_KEY || env.JWT_JWKS_URL) {
    throw new MintError(
      'the API verifies with JWT_PUBLIC_KEY / JWT_JWKS_URL: set the matching JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE',
      1,
    );
  }
  if (env.NODE_ENV === 'production') {
    throw new MintError('JWT_SECRET or JWT_PRIVATE_KEY is required when NODE_ENV=production', 1);
  }
  return { algorithm: 'HS256', secret: DEVELOPMENT_SECRET };
}

/** Signs a token for `userId` as the environment describes (through @nestjs/jwt). */
export function mintToken({ userId, email, ttlSeconds = DEFAULT_TTL_SECONDS }, env = process.env) {
  const key = signingKeyFrom(env);
  const claims = { [env.JWT_USER_ID_CLAIM || 'sub']: userId };
  if (email !== undefined) claims[env.JWT_EMAIL_CLAIM || 'email'] = email;
  return new JwtService().sign(claims, {
    ...key,
    expiresIn: ttlSeconds,
    ...(env.JWT_ISSUER && { issuer: env.JWT_ISSUER }),
    ...(env.JWT_AUDIENCE && { audience: env.JWT_AUDIENCE }),
  });
}

function main() {
  loadDotEnv();
  try {
    process.stdout.write(`${mintToken(parseArgs(process.argv.slice(2)))}\n`);
  } catch (error) {
    if (!(error instanceof MintError)) throw error;
    console.error(`token: ${error.message}`);
    if (error.exitCode === 2) console.error(USAGE);
    process.exitCode = error.exitCode;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
