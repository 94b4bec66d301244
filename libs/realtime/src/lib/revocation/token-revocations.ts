import { Logger } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import type { Redis } from 'ioredis';

/**
 * Where "tokens of this user issued before T are refused" is kept: in memory for one
 * process, in Redis for a cluster (every process reads the same key).
 */
export interface RevocationStore {
  /** Records the revocation time (ms) of the user's earlier tokens, for `ttlMs`. */
  revoke(userId: string, at: number, ttlMs: number): Promise<void>;
  /** The latest revocation time (ms) of the user, if any is still kept. */
  revokedAt(userId: string): Promise<number | undefined>;
}

/** Revocations of one process. */
export class InMemoryRevocationStore implements RevocationStore {
  private readonly entries = new Map<string, { at: number; expiresAt: number }>();

  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    this.entries.set(userId, {
      at: Math.max(at, this.entries.get(userId)?.at ?? 0),
      expiresAt: Date.now() + ttlMs,
    });
  }

  async revokedAt(userId: string): Promise<number | undefined> {
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(userId);
      return undefined;
    }
    return entry.at;
  }
}

/**
 * How long a handshake or an HTTP request waits for Redis to say whether the user's tokens
 * were revoked. A Redis that stopped answering must not stall every sign-in (the command
 * timeout is far longer): past this wait the check goes ahead with what this process knows.
 */
export const REVOCATION_LOOKUP_WAIT_MS = 100;

/**
 * Cluster-wide revocations: one key per user (`{prefix}:revoked:{userId}`) holding the
 * revocation time, expiring with the longest token lifetime. The revocations this process
 * made are also kept locally, so they hold while Redis is unreachable; during an outage a
 * revocation made on another process is unknown here until Redis returns (logged once).
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly logger = new Logger('Realtime');
  private readonly local = new InMemoryRevocationStore();
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  async revoke(userId: string, at: number, ttlMs: number): Promise<void> {
    await this.local.revoke(userId, at, ttlMs);
    // Throws when Redis is away: the caller reports that the revocation is not cluster-wide.
    await this.redis.set(this.key(userId), String(at), 'PX', ttlMs);
  }

  async revokedAt(userId: string): Promise<number | undefined> {
    const local = await this.local.revokedAt(userId);
    try {
      const stored = await withDeadline(
        this.redis.get(this.key(userId)),
        REVOCATION_LOOKUP_WAIT_MS,
      );
      this.degraded = false;
      const shared = stored === null ? undefined : Number(stored);
      return Math.max(local ?? 0, shared ?? 0) || undefined;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn({
          msg: 'Redis unreachable: token revocations of other processes are not checked until it returns',
          err: error instanceof Error ? error.message : String(error),
        });
      }
      return local;
    }
  }

  private key(userId: string): string {
    return `${this.keyPrefix}:revoked:${userId}`;
  }
}

/** How long a revocation is kept when the module options name no lifetime: 24 hours. */
export const DEFAULT_REVOCATION_TTL_SECONDS = 24 * 60 * 60;

/**
 * "Sign out everywhere" that sticks: after `revokeIssuedBefore(userId)`, a token of that
 * user issued at or before that second is refused (TOKEN_INVALID) by the handshake and by
 * JwtAuthGuard on every process, so a revoked user cannot walk back in with the token it
 * already has. Tokens issued later pass. A revocation is kept as long as the longest token
 * lifetime (`revocationTtlSeconds`), after which every earlier token has expired anyway.
 *
 * It runs after the signature check (a token's `iat` is only trusted once verified).
 */
export class TokenRevocations {
  constructor(
    private readonly store: RevocationStore,
    private readonly ttlSeconds: number = DEFAULT_REVOCATION_TTL_SECONDS,
  ) {}

  /** Refuses the user's tokens issued up to now; answers the revocation time. */
  async revokeIssuedBefore(userId: string, now = Date.now()): Promise<Date> {
    await this.store.revoke(userId, now, this.ttlSeconds * 1_000);
    return new Date(now);
  }

  /**
   * Throws TOKEN_INVALID when the (already verified) `token` of `userId` was issued at or
   * before a revocation of that user. `iat` has a one-second resolution, so a token issued
   * in the revocation's second is refused too; a token without `iat` is refused while a
   * revocation is kept.
   */
  async assertNotRevoked(userId: string, token: unknown): Promise<void> {
    const revokedAt = await this.store.revokedAt(userId);
    if (revokedAt === undefined) return;
    const issuedAt = issuedAtOf(token);
    if (issuedAt === undefined || issuedAt * 1_000 <= revokedAt) {
      throw new HeraldError(ErrorCode.TokenInvalid, 'Authentication token was revoked');
    }
  }
}

/** The `iat` claim (seconds) of a compact JWT, or undefined. */
function issuedAtOf(token: unknown): number | undefined {
  if (typeof token !== 'string') return undefined;
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const iat = (
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iat?: unknown }
    ).iat;
    return typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined;
  } catch {
    return undefined;
  }
}

/** `promise`, or a rejection once `ms` passed (the promise's own outcome is then ignored). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
