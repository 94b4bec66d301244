import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { ExtendedError } from 'socket.io';
import { ErrorCode, HeraldError, type ErrorDetail } from '@herald/ws-contracts';
import { bearerToken, TokenVerifier, type AuthenticatedUser } from '../auth/token-verifier';
import { toErrorDetail } from '../errors';
import { RealtimeEventRegistry } from '../event-registry';
import type { KeyedRateLimiter, RateLimitDecision } from '../rate-limit/keyed-rate-limiter';
import { RateLimiterFactory } from '../rate-limit/rate-limiter.factory';
import { REALTIME_OPTIONS, type ResolvedRealtimeOptions } from '../realtime.options';
import { RealtimeStats } from '../realtime-stats';
import { TokenRevocations } from '../revocation/token-revocations';
import { clientAddress, rateLimitKeyFor } from './client-address';
import { claimPrepaidHandshake } from './engine-session-limiter';
import { OriginPolicy } from './origin-policy';
import type { HeraldNamespace, HeraldServer, HeraldSocket } from './socket-types';

const FOREIGN_ORIGIN_LOG_INTERVAL_MS = 10_000;

/** What the handshake decided for an accepted socket, read once by the gateway on connect. */
export interface HandshakeResult {
  user: AuthenticatedUser;
  /** Rooms besides `user:{id}`, from the registered room resolvers. */
  rooms: string[];
}

function isAllowed(decision: RateLimitDecision): boolean {
  return decision.allowed;
}

/** A refused handshake: the client's `connect_error` gets `message` and `data.code`. */
export function handshakeRefusal(detail: ErrorDetail): ExtendedError {
  const error = new Error(detail.message) as ExtendedError;
  error.data = { code: detail.code };
  return error;
}

/**
 * Authenticates every Socket.IO handshake before the socket joins anything. Nest guards
 * never run on connection, so this is Socket.IO middleware, installed on every namespace
 * of the server (`server.use` alone would only cover the main one).
 */
@Injectable()
export class HandshakeAuthenticator {
  private readonly logger = new Logger('Realtime');
  private readonly limiter: KeyedRateLimiter;
  private readonly origins: OriginPolicy;
  private readonly results = new WeakMap<HeraldSocket, HandshakeResult>();
  private lastForeignOriginLog = 0;
  private foreignOriginsSinceLog = 0;

  constructor(
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(RealtimeStats) private readonly stats: RealtimeStats,
    @Inject(RateLimiterFactory) rateLimiters: RateLimiterFactory,
    @Inject(TokenRevocations) private readonly revocations: TokenRevocations,
  ) {
    // Cluster-wide with Redis: a client spreading its handshakes over the processes meets one budget.
    this.limiter = rateLimiters.create('handshake', {
      burst: options.limits.handshakeBurst,
      perSecond: options.limits.handshakesPerSecond,
    });
    this.origins = new OriginPolicy(options.corsOrigins);
  }

  get originPolicy(): OriginPolicy {
    return this.origins;
  }

  /**
   * engine.io `allowRequest`: runs on the first HTTP request of a session, polling or
   * websocket upgrade alike, and answers 403 to a browser from a foreign origin (CORS
   * headers alone do not stop cross-site WebSocket hijacking).
   */
  readonly allowRequest = (
    request: IncomingMessage,
    callback: (error: string | null | undefined, success: boolean) => void,
  ): void => {
    const origin = request.headers.origin;
    if (this.origins.isAllowed(origin)) return callback(null, true);
    this.stats.recordHandshake(ErrorCode.OriginNotAllowed);
    // A hostile page can make browsers knock endlessly: log once per interval, with a count.
    this.foreignOriginsSinceLog += 1;
    const now = Date.now();
    if (now - this.lastForeignOriginLog >= FOREIGN_ORIGIN_LOG_INTERVAL_MS) {
      this.logger.warn({
        msg: 'Refused handshakes from a foreign origin',
        origin: String(origin).slice(0, 200),
        refused: this.foreignOriginsSinceLog,
        code: ErrorCode.OriginNotAllowed,
      });
      this.lastForeignOriginLog = now;
      this.foreignOriginsSinceLog = 0;
    }
    callback(`Origin ${origin} is not allowed`, false);
  };

  /**
   * Takes one handshake from the per-address limit (`key` from `rateLimitKeyFor`); false
   * when it is spent. The Engine.IO session limiter charges each new session here. At once
   * from counters in this process; a promise from counters in Redis.
   */
  takeHandshakeAllowance(key: string): boolean | Promise<boolean> {
    const decision = this.limiter.take(key);
    return decision instanceof Promise ? decision.then(isAllowed) : decision.allowed;
  }

  /** Installs the middleware on the main namespace and on every namespace created later. */
  protect(server: HeraldServer): void {
    server.use(this.middleware);
    server.on('new_namespace', (namespace: HeraldNamespace) => {
      namespace.use(this.middleware);
    });
  }

  /** The handshake's decision for `socket`; undefined when it never passed this middleware. */
  takeResult(socket: HeraldSocket): HandshakeResult | undefined {
    const result = this.results.get(socket);
    this.results.delete(socket);
    return result;
  }

  /** The handshake's decision for `socket`, left in place (for the middleware after this one). */
  peekResult(socket: HeraldSocket): HandshakeResult | undefined {
    return this.results.get(socket);
  }

  readonly middleware = (socket: HeraldSocket, next: (error?: ExtendedError) => void): void => {
    void this.authenticate(socket).then(
      () => {
        this.stats.recordHandshake('accepted');
        next();
      },
      (error: unknown) => {
        const detail = toErrorDetail(error);
        this.stats.recordHandshake(detail.code);
        if (detail.code === ErrorCode.Internal) {
          this.logger.error({ msg: 'Handshake failed unexpectedly', err: error });
        }
        next(handshakeRefusal(detail));
      },
    );
  };

  private async authenticate(socket: HeraldSocket): Promise<void> {
    const { handshake } = socket;
    // The first CONNECT of a session was paid for when its Engine.IO session opened. Both
    // answers come at once unless the limit is kept in Redis: no turn is spent waiting then.
    let prepaid = claimPrepaidHandshake(socket.conn);
    if (prepaid instanceof Promise) prepaid = await prepaid;
    if (!prepaid) {
      const address = rateLimitKeyFor(
        clientAddress(handshake.address, handshake.headers['x-forwarded-for']),
      );
      let decision = this.limiter.take(address);
      if (decision instanceof Promise) decision = await decision;
      if (!decision.allowed) {
        throw new HeraldError(
          ErrorCode.RateLimited,
          'Too many connection attempts; retry shortly',
          {
            retryAfterSeconds: decision.retryAfterSeconds,
          },
        );
      }
    }
    const auth = handshake.auth as { token?: unknown } | undefined;
    // `auth.token` (browsers) wins; an absent or empty one falls back to the header.
    const fromAuth = auth?.token;
    const token =
      fromAuth === undefined || fromAuth === null || fromAuth === ''
        ? bearerToken(handshake.headers.authorization)
        : fromAuth;
    // The token itself is never logged, only the verdict.
    const user = await this.verifier.verify(token);
    await this.revocations.assertNotRevoked(user.userId, token);
    const rooms = await this.registry.roomsFor(user);
    socket.data = {
      userId: user.userId,
      email: user.email,
      role: user.role,
      tokenExpiresAt: user.expiresAt,
    };
    this.results.set(socket, { user, rooms });
  }
}
