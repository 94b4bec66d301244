import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JwksClient } from 'jwks-rsa';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';

/** How the JWKS key set is cached and refreshed. Every field has a default. */
export interface JwksCacheOptions {
  /**
   * A fetched key set is trusted this long; the next token after that refreshes it.
   * @default 600_000 (10 minutes)
   */
  maxAgeMs?: number;
  /**
   * While the endpoint is down, the last key set keeps verifying tokens this long after it
   * was fetched (stale-while-error), so an identity-provider outage does not sign everyone out.
   * @default 86_400_000 (24 hours)
   */
  maxStaleMs?: number;
  /**
   * A token whose `kid` is not in the set refetches it at most once per this interval, so
   * random `kid`s cannot turn Herald into a request amplifier against the endpoint.
   * @default 30_000
   */
  unknownKidCooldownMs?: number;
  /**
   * After a failed fetch, no new fetch for this long: during an outage handshakes are
   * answered from the stale set (or SERVICE_UNAVAILABLE) instead of each one fetching.
   * @default 5_000
   */
  retryAfterFailureMs?: number;
  /**
   * Timeout of one fetch of the key set.
   * @default 5_000
   */
  requestTimeoutMs?: number;
}

/** A public key of the set and the one algorithm it may verify. */
export interface JwksKey {
  key: KeyObject;
  algorithm: JwksAlgorithm;
}

const DEFAULTS: Required<JwksCacheOptions> = {
  maxAgeMs: 600_000,
  maxStaleMs: 86_400_000,
  unknownKidCooldownMs: 30_000,
  retryAfterFailureMs: 5_000,
  requestTimeoutMs: 5_000,
};

/** Algorithms a JWKS key may carry; keys for anything else (EdDSA, HS*) are skipped. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256', 'ES384', 'ES512'] as const;
type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];
const isJwksAlgorithm = (alg: string | undefined): alg is JwksAlgorithm =>
  (JWKS_ALGORITHMS as readonly (string | undefined)[]).includes(alg);

/**
 * The signing keys published at a JWKS endpoint, fetched and parsed by `jwks-rsa`.
 *
 * The set is cached as a whole here rather than per `kid` in jwks-rsa's memoizer, because
 * a per-kid cache fetches once for every unknown `kid` an attacker invents (until its rate
 * limit also turns away keys that were really rotated in). One fetch at a time is in
 * flight (single-flight): every token waiting for keys shares it.
 */
export class JwksKeyStore {
  /** Made on the first fetch: jwks-rsa is loaded only by a process that verifies with JWKS. */
  private client?: Promise<JwksClient>;
  private readonly options: Required<JwksCacheOptions>;
  private keys = new Map<string, JwksKey>();
  /** Epoch ms of the last successful fetch; 0 before the first one. */
  private fetchedAt = 0;
  private lastAttemptAt = 0;
  private lastAttemptFailed = false;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly jwksUrl: string,
    options: JwksCacheOptions = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * The key named by `kid` (or the only key of the set when the token names none).
   * Throws TOKEN_INVALID for a kid the endpoint does not publish, SERVICE_UNAVAILABLE when
   * the endpoint cannot be reached and no key set, not even a stale one, is at hand.
   */
  async getKey(kid: string | undefined): Promise<JwksKey> {
    const now = Date.now();
    if (now - this.fetchedAt >= this.options.maxAgeMs) {
      await this.refresh(now);
    }
    let found = this.lookup(kid);
    if (
      !found &&
      this.isUsable(now) &&
      now - this.lastAttemptAt >= this.options.unknownKidCooldownMs
    ) {
      // Possibly a key rotated in since the last fetch.
      await this.refresh(now);
      found = this.lookup(kid);
    }
    if (found && this.isUsable(Date.now())) return found;
    if (!this.isUsable(Date.now())) {
      throw new HeraldError(
        ErrorCode.Unavailable,
        'Token signing keys cannot be fetched right now; retry shortly',
      );
    }
    throw new HeraldError(ErrorCode.TokenInvalid, 'Token key id (kid) is not a known signing key');
  }

  /** True while the cached set may be used: fresh, or stale within `maxStaleMs`. */
  private isUsable(now: number): boolean {
    return this.fetchedAt > 0 && now - this.fetchedAt < this.options.maxStaleMs;
  }

  private lookup(kid: string | undefined): JwksKey | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // RFC 7517 allows a kid-less token only when the set leaves no choice.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  /** Fetches the set unless a fetch failed moments ago; never throws (see getKey). */
  private refresh(now: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.lastAttemptFailed && now - this.lastAttemptAt < this.options.retryAfterFailureMs) {
      return Promise.resolve();
    }
    this.lastAttemptAt = now;
    this.inFlight = this.fetch().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetch(): Promise<void> {
    try {
      const signingKeys = await (await this.jwksClient()).getSigningKeys();
      const keys = new Map<string, JwksKey>();
      for (const signingKey of signingKeys) {
        const entry = toJwksKey(signingKey.getPublicKey(), signingKey.alg);
        if (entry) keys.set(signingKey.kid ?? '', entry);
      }
      this.keys = keys;
      this.fetchedAt = Date.now();
      this.lastAttemptFailed = false;
    } catch {
      // Unreachable, an error status, not JSON or no usable key: keep the last good set.
      this.lastAttemptFailed = true;
    }
  }

  private jwksClient(): Promise<JwksClient> {
    this.client ??= import('jwks-rsa').then(
      ({ JwksClient }) =>
        new JwksClient({
          jwksUri: this.jwksUrl,
          timeout: this.options.requestTimeoutMs,
          // The whole set is cached here (see above); jwks-rsa only fetches and parses.
          cache: false,
          rateLimit: false,
        }),
    );
    return this.client;
  }
}

/** The key and its one algorithm, or undefined for a key Herald does not verify with. */
function toJwksKey(pem: string, alg: string | undefined): JwksKey | undefined {
  try {
    const key = createPublicKey(pem);
    const algorithm = alg ?? defaultAlgorithm(key);
    return isJwksAlgorithm(algorithm) ? { key, algorithm } : undefined;
  } catch {
    return undefined;
  }
}

/** RS256 for RSA, ES256/384/512 by curve for EC: the algorithm a key without `alg` implies. */
export function defaultAlgorithm(key: KeyObject): JwksAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'prime256v1'
    ? 'ES256'
    : curve === 'secp384r1'
      ? 'ES384'
      : curve === 'secp521r1'
        ? 'ES512'
        : undefined;
}
