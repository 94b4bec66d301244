import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { ErrorCode, HeraldError, tokenClaimsSchema } from '@herald/ws-contracts';

export interface JwtVerificationOptions {
  /** HS256 shared secret. */
  secret?: string;
  /** PEM public key (RSA or EC) for RS256/ES256-family tokens. */
  publicKey?: string;
  /** JWKS endpoint for RS256/ES256-family tokens. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Tolerance for exp/nbf, in seconds; SPEC §3 caps it at 5. */
  clockToleranceSeconds?: number;
}

/** Who a verified token speaks for. */
export interface AuthenticatedUser {
  userId: string;
  email: string | null;
  role: string | null;
  /** Epoch milliseconds of `exp`, or null when the token has none. */
  expiresAt: number | null;
}

/** Tokens larger than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8_192;
const HMAC_ALGORITHMS = ['HS256'];
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGORITHMS = ['ES256', 'ES384', 'ES512'];

/**
 * Verifies JWTs for the handshake and the HTTP API alike. The key is chosen by the
 * algorithm family, never by the token alone: an HS256 token is only checked against
 * JWT_SECRET and an RS/ES token only against the public key, so the public key can
 * never be used as an HMAC secret (algorithm confusion), and `alg: none` is never allowed.
 */
export class TokenVerifier {
  private readonly algorithms: string[];
  private readonly getKey: JWTVerifyGetKey;
  private readonly clockTolerance: number;

  constructor(private readonly options: JwtVerificationOptions) {
    const hmac = options.secret ? createSecretKey(Buffer.from(options.secret, 'utf8')) : undefined;
    let asymmetric: KeyObject | JWTVerifyGetKey | undefined;
    let asymmetricAlgorithms: string[] = [];
    if (options.publicKey) {
      const key = createPublicKey(options.publicKey);
      asymmetric = key;
      asymmetricAlgorithms = key.asymmetricKeyType === 'ec' ? EC_ALGORITHMS : RSA_ALGORITHMS;
    } else if (options.jwksUrl) {
      asymmetric = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5_000 });
      asymmetricAlgorithms = [...RSA_ALGORITHMS, ...EC_ALGORITHMS];
    }
    if (!hmac && !asymmetric)
      throw new Error('TokenVerifier needs a secret, a public key or a JWKS URL');
    this.algorithms = [...(hmac ? HMAC_ALGORITHMS : []), ...asymmetricAlgorithms];
    this.clockTolerance = Math.max(0, Math.min(options.clockToleranceSeconds ?? 5, 5));
    this.getKey = async (header: JWTHeaderParameters, token) => {
      if (HMAC_ALGORITHMS.includes(header.alg)) {
        if (hmac) return hmac;
      } else if (asymmetric) {
        return typeof asymmetric === 'function' ? fetchKey(asymmetric, header, token) : asymmetric;
      }
      throw new HeraldError(ErrorCode.TokenInvalid, `algorithm ${header.alg} is not accepted`);
    };
  }

  /** Tolerance applied to `exp`/`nbf`, in milliseconds (at most 5 s, SPEC §3). */
  get clockToleranceMs(): number {
    return this.clockTolerance * 1000;
  }

  async verify(token: unknown): Promise<AuthenticatedUser> {
    if (token === undefined || token === null || token === '') {
      throw new HeraldError(ErrorCode.TokenMissing, 'Authentication token is missing');
    }
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      throw new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is malformed');
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.clockTolerance,
      }));
    } catch (error) {
      throw this.translate(error);
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new HeraldError(
        ErrorCode.TokenInvalid,
        'Token subject (sub) must be a non-empty string',
      );
    }
    const { sub, email, role, exp } = claims.data;
    return {
      userId: sub,
      email: email ?? null,
      role: role ?? null,
      expiresAt: exp ? exp * 1000 : null,
    };
  }

  private translate(error: unknown): HeraldError {
    if (error instanceof HeraldError) return error;
    if (error instanceof errors.JWTExpired) {
      return new HeraldError(ErrorCode.TokenExpired, 'Authentication token has expired');
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      return new HeraldError(ErrorCode.TokenInvalid, `Token claim check failed: ${error.claim}`);
    }
    return new HeraldError(ErrorCode.TokenInvalid, 'Authentication token is invalid');
  }
}

/**
 * Looks the key up in the JWKS. A key set that cannot be fetched (timeout, connection
 * refused, garbage answer) is an outage, not a bad token: SERVICE_UNAVAILABLE, so clients
 * retry instead of signing the user out. A kid that is not in the set stays TOKEN_INVALID.
 */
async function fetchKey(
  jwks: JWTVerifyGetKey,
  header: JWTHeaderParameters,
  token: Parameters<JWTVerifyGetKey>[1],
): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> {
  try {
    return await jwks(header, token);
  } catch (error) {
    if (
      error instanceof errors.JWKSNoMatchingKey ||
      error instanceof errors.JWKSMultipleMatchingKeys
    ) {
      throw error;
    }
    if (
      error instanceof errors.JOSEError &&
      !(error instanceof errors.JWKSTimeout) &&
      !(error instanceof errors.JWKSInvalid)
    ) {
      throw error;
    }
    throw new HeraldError(
      ErrorCode.Unavailable,
      'Token signing keys cannot be fetched right now; retry shortly',
    );
  }
}

/** Reads a token from `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^Bearer\s*$/i.test(value.trim())) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : value;
}
