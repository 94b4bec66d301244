import {
  JsonWebTokenError,
  JwtSecretRequestType,
  JwtService,
  NotBeforeError,
  TokenExpiredError,
  type JwtModuleOptions,
} from '@nestjs/jwt';
import type { KeyObject } from 'node:crypto';
import { ErrorCode, HeraldError, userIdSchema } from '@herald/ws-contracts';
import { verifyHs256, type Hs256ClaimRules } from './hs256';
import { TokenKeys, type TokenKeyOptions } from './token-keys';

/** How bearer tokens are verified, for the handshake and the HTTP API alike. */
export interface JwtVerificationOptions extends TokenKeyOptions {
  /** Required `iss` when set. */
  issuer?: string;
  /** Required `aud` when set. */
  audience?: string;
  /**
   * The claim that carries the user id; its value must be a valid user id (1-255
   * characters, no surrounding spaces, no control characters).
   * @default 'sub'
   */
  userIdClaim?: string;
  /**
   * The claim that carries the user's e-mail address, when present.
   * @default 'email'
   */
  emailClaim?: string;
  /**
   * Tolerance for `exp`/`nbf`, in seconds; capped at 5.
   * @default 5
   */
  clockToleranceSeconds?: number;
}

/** Who a verified token speaks for. */
export interface AuthenticatedUser {
  userId: string;
  email: string | null;
  role: string | null;
  /**
   * Epoch milliseconds of `exp`. TokenVerifier refuses tokens without `exp`, so a verified
   * user always has one; null only in contexts built without a token (e.g. tests).
   */
  expiresAt: number | null;
}

/** Tokens larger than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8_192;
const MAX_CLOCK_TOLERANCE_SECONDS = 5;

/**
 * The `JwtModule` options every Herald token goes through: the key comes from `keys` by
 * the token's algorithm (`secretOrKeyProvider`, also for JWKS), `algorithms` is pinned to
 * the configured keys, and demo tokens are signed HS256 with the secret.
 */
export function createJwtModuleOptions(
  keys: TokenKeys,
  options: JwtVerificationOptions,
): JwtModuleOptions {
  return {
    secretOrKeyProvider: (requestType, tokenOrPayload) => {
      if (requestType === JwtSecretRequestType.SIGN) return keys.signingKey();
      // The secret or public key as it is, so `JwtService.verify` (sync) can use it too.
      const key = staticKeyOf(keys, tokenOrPayload);
      if (key !== undefined) return key;
      // Otherwise a promise, so a refused header rejects verifyAsync instead of throwing.
      return Promise.resolve().then(() => keys.verificationKey(headerOf(tokenOrPayload)));
    },
    signOptions: {
      algorithm: 'HS256',
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
    },
    verifyOptions: {
      algorithms: keys.algorithms,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: clockToleranceOf(options),
    },
  };
}

/** The static key for a well-formed token's algorithm, without throwing for any token. */
function staticKeyOf(keys: TokenKeys, token: unknown): KeyObject | undefined {
  try {
    return keys.staticKeyFor(headerOf(token));
  } catch {
    return undefined;
  }
}

/** Builds the verifier outside Nest (scripts, tests) exactly as RealtimeModule does. */
export function createTokenVerifier(options: JwtVerificationOptions): TokenVerifier {
  const keys = new TokenKeys(options);
  return new TokenVerifier(new JwtService(createJwtModuleOptions(keys, options)), options, keys);
}

/**
 * Verifies JWTs for the handshake, `auth:refresh` and the HTTP API through `JwtService`
 * (`@nestjs/jwt`; HS256 with the configured secret through `verifyHs256`, the same checks),
 * then applies Herald's own rules: no unknown critical headers, `exp` required (RFC 8725),
 * and the configured user-id claim must be a valid user id.
 */
export class TokenVerifier {
  private readonly userIdClaim: string;
  private readonly emailClaim: string;
  private readonly clockToleranceSeconds: number;
  /** The HS256 secret, when one is configured: such tokens are verified by `verifyHs256`. */
  private readonly hs256Secret?: KeyObject;
  private readonly hs256Rules: Hs256ClaimRules;

  /**
   * @param keys the TokenKeys behind `jwt`'s `createJwtModuleOptions`: an HS256 token is
   *   then verified with node:crypto directly (`verifyHs256`, jsonwebtoken's checks), a
   *   token with another static key with `JwtService.verify`, without the promise round
   *   trips of `verifyAsync` (same jsonwebtoken checks, same options). Without it, always
   *   verifyAsync.
   */
  constructor(
    private readonly jwt: JwtService,
    options: JwtVerificationOptions,
    private readonly keys?: TokenKeys,
  ) {
    this.userIdClaim = options.userIdClaim ?? 'sub';
    this.emailClaim = options.emailClaim ?? 'email';
    this.clockToleranceSeconds = clockToleranceOf(options);
    this.hs256Secret = keys?.algorithms.includes('HS256')
      ? keys.staticKeyFor({ alg: 'HS256' })
      : undefined;
    this.hs256Rules = {
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: this.clockToleranceSeconds,
    };
  }

  /** Tolerance applied to `exp`/`nbf`, in milliseconds (at most 5 s). */
  get clockToleranceMs(): number {
    return this.clockToleranceSeconds * 1000;
  }

  async verify(token: unknown): Promise<AuthenticatedUser> {
    if (token === undefined || token === null || token === '') {
      throw new HeraldError(ErrorCode.TokenMissing, 'Authentication token is missing');
    }
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      throw new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is malformed');
    }
    const header = headerOf(token);
    // jsonwebtoken ignores `crit`; Herald understands no extension, so any is refused (RFC 7515).
    if (header.crit !== undefined) {
      throw new HeraldError(
        ErrorCode.TokenInvalid,
        'Token has critical headers Herald does not support',
      );
    }
    if (this.hs256Secret !== undefined && header['alg'] === 'HS256') {
      return this.readClaims(verifyHs256(token, header, this.hs256Secret, this.hs256Rules));
    }
    let payload: unknown;
    try {
      payload =
        this.keys?.staticKeyFor(header) === undefined
          ? await this.jwt.verifyAsync(token)
          : this.jwt.verify(token);
    } catch (error) {
      throw translate(error);
    }
    return this.readClaims(payload);
  }

  private readClaims(payload: unknown): AuthenticatedUser {
    if (typeof payload !== 'object' || payload === null) {
      throw new HeraldError(ErrorCode.TokenInvalid, 'Token payload is not a JSON object');
    }
    const claims = payload as Record<string, unknown>;
    if (typeof claims['exp'] !== 'number') {
      throw new HeraldError(
        ErrorCode.TokenInvalid,
        'Token has no expiry (exp); tokens must expire',
      );
    }
    const rawUserId = claims[this.userIdClaim];
    const userId = userIdSchema.safeParse(rawUserId);
    if (!userId.success || userId.data !== rawUserId) {
      throw new HeraldError(
        ErrorCode.TokenInvalid,
        `Token claim ${this.userIdClaim} must be a user id: 1-255 characters, no surrounding spaces or control characters`,
      );
    }
    const email = optionalString(claims, this.emailClaim);
    const role = optionalString(claims, 'role');
    return { userId: userId.data, email, role, expiresAt: claims['exp'] * 1000 };
  }
}

function optionalString(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new HeraldError(ErrorCode.TokenInvalid, `Token claim ${name} must be a string`);
  }
  return value;
}

function clockToleranceOf(options: JwtVerificationOptions): number {
  const configured = options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS;
  return Math.max(0, Math.min(configured, MAX_CLOCK_TOLERANCE_SECONDS));
}

/** The decoded JOSE header, or TOKEN_INVALID when the token is not a JWS compact JWT. */
function headerOf(token: unknown): Record<string, unknown> {
  if (typeof token === 'string') {
    const parts = token.split('.');
    if (parts.length === 3) {
      try {
        const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
        if (typeof header === 'object' && header !== null && !Array.isArray(header)) {
          return header as Record<string, unknown>;
        }
      } catch {
        // Not JSON: refused below.
      }
    }
  }
  throw new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is malformed');
}

/** jsonwebtoken's verdicts as Herald codes; a not-yet-valid token (nbf) is TOKEN_INVALID. */
function translate(error: unknown): HeraldError {
  if (HeraldError.is(error)) return error;
  if (error instanceof TokenExpiredError) {
    return new HeraldError(ErrorCode.TokenExpired, 'Authentication token has expired');
  }
  if (error instanceof NotBeforeError) {
    return new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is not valid yet (nbf)');
  }
  if (error instanceof JsonWebTokenError && /audience|issuer/.test(error.message)) {
    // jsonwebtoken's message names the expected value; the client only learns which claim.
    const claim = error.message.includes('audience') ? 'aud' : 'iss';
    return new HeraldError(ErrorCode.TokenInvalid, `Token claim check failed: ${claim}`);
  }
  return new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is invalid');
}

/** Reads a token from `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^Bearer\s*$/i.test(value.trim())) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : value;
}
