import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtVerifyOptions } from '@nestjs/jwt';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import {
  defaultAlgorithm,
  JWKS_ALGORITHMS,
  JwksKeyStore,
  type JwksCacheOptions,
} from './jwks-key-store';

/** Where the keys that verify tokens come from. Set a secret, a public key or a JWKS URL. */
export interface TokenKeyOptions {
  /** HS256 shared secret (also signs tokens issued by the application, e.g. demo sign-in). */
  secret?: string;
  /** PEM public key: RSA (RS256) or EC P-256/P-384/P-521 (ES256/ES384/ES512). */
  publicKey?: string;
  /** JWKS endpoint whose RSA/EC keys verify RS256/ES256-family tokens. */
  jwksUrl?: string;
  /** Caching of the JWKS key set (only with `jwksUrl`). */
  jwksCache?: JwksCacheOptions;
}

/** An algorithm name as `jsonwebtoken` types it. */
export type JwtAlgorithm = NonNullable<JwtVerifyOptions['algorithms']>[number];

/** A configuration the module cannot start with; the message is one line for operators. */
export class TokenKeyConfigurationError extends Error {
  override readonly name = 'TokenKeyConfigurationError';
}

const invalid = (message: string) => new HeraldError(ErrorCode.TokenInvalid, message);

/**
 * The keys Herald verifies tokens with, and the one algorithm each key may be used with.
 * The key is chosen from the configuration by the token's `alg`, never from the token
 * itself (`jwk`, `jku`, `x5u` headers are ignored): an HS256 token is only checked against
 * the secret, an RS/ES token only against the public key or JWKS, so a public key can never
 * act as an HMAC secret (algorithm confusion) and `alg: none` has no key at all.
 */
export class TokenKeys {
  /** Every algorithm some configured key accepts: `verifyOptions.algorithms`. */
  readonly algorithms: JwtAlgorithm[];
  private readonly secret?: KeyObject;
  private readonly publicKey?: { key: KeyObject; algorithm: JwtAlgorithm };
  private readonly jwks?: JwksKeyStore;

  constructor(options: TokenKeyOptions) {
    if (options.publicKey && options.jwksUrl) {
      throw new TokenKeyConfigurationError(
        'RealtimeModule: set only one of jwt.publicKey and jwt.jwksUrl',
      );
    }
    if (options.secret) this.secret = createSecretKey(Buffer.from(options.secret, 'utf8'));
    if (options.publicKey) this.publicKey = parsePublicKey(options.publicKey);
    if (options.jwksUrl) this.jwks = new JwksKeyStore(options.jwksUrl, options.jwksCache);
    if (!this.secret && !this.publicKey && !this.jwks) {
      throw new TokenKeyConfigurationError(
        'RealtimeModule: jwt needs a secret, a public key or a JWKS URL',
      );
    }
    this.algorithms = [
      ...(this.secret ? (['HS256'] as const) : []),
      ...(this.publicKey ? [this.publicKey.algorithm] : []),
      ...(this.jwks ? JWKS_ALGORITHMS : []),
    ];
  }

  /** True when tokens can be signed here (HS256 with the secret). */
  get canSign(): boolean {
    return this.secret !== undefined;
  }

  /** The HS256 secret that signs tokens issued by the application itself. */
  signingKey(): KeyObject {
    if (!this.secret) throw new Error('Tokens can only be signed with a configured secret');
    return this.secret;
  }

  /**
   * The configured key for this header's algorithm when it needs no fetching (the secret,
   * the public key); undefined for JWKS and for an algorithm no key accepts. Where it
   * answers, `verificationKey` answers the same key.
   */
  staticKeyFor(header: { alg?: unknown }): KeyObject | undefined {
    if (header.alg === 'HS256') return this.secret;
    if (this.publicKey !== undefined && this.publicKey.algorithm === header.alg) {
      return this.publicKey.key;
    }
    return undefined;
  }

  /**
   * The key that verifies a token with this header, or TOKEN_INVALID when no configured key
   * accepts its algorithm (SERVICE_UNAVAILABLE while JWKS keys cannot be fetched).
   */
  async verificationKey(header: { alg?: unknown; kid?: unknown }): Promise<KeyObject> {
    const alg = typeof header.alg === 'string' ? header.alg : undefined;
    if (!alg || !(this.algorithms as string[]).includes(alg)) {
      throw invalid(`Token algorithm ${String(alg)} is not accepted`);
    }
    if (alg === 'HS256' && this.secret) return this.secret;
    if (this.publicKey?.algorithm === alg) return this.publicKey.key;
    if (this.jwks && alg !== 'HS256') {
      const kid = typeof header.kid === 'string' ? header.kid : undefined;
      const found = await this.jwks.getKey(kid);
      if (found.algorithm !== alg) throw invalid(`Token algorithm ${alg} does not match its key`);
      return found.key;
    }
    throw invalid(`Token algorithm ${alg} is not accepted`);
  }
}

/** Parses the PEM and pins its algorithm; a bad key is a one-line configuration error. */
function parsePublicKey(pem: string): { key: KeyObject; algorithm: JwtAlgorithm } {
  if (/PRIVATE KEY/.test(pem)) {
    throw new TokenKeyConfigurationError(
      'RealtimeModule: jwt.publicKey must be a public key, not a private key',
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new TokenKeyConfigurationError(
      'RealtimeModule: jwt.publicKey is not a PEM public key (-----BEGIN PUBLIC KEY-----)',
    );
  }
  const algorithm = defaultAlgorithm(key);
  if (!algorithm) {
    throw new TokenKeyConfigurationError(
      `RealtimeModule: jwt.publicKey must be an RSA or EC (P-256, P-384, P-521) key, not ${key.asymmetricKeyType}`,
    );
  }
  return { key, algorithm };
}
