import type { JwtVerificationOptions } from '../auth/token-verifier';

/** Size and rate limits of the gateway, per socket and per client IP. */
export interface RealtimeLimits {
  /**
   * Largest single Socket.IO message in bytes (engine.io's `maxHttpBufferSize`); a bigger
   * one closes that socket.
   * @default 100_000
   */
  maxMessageBytes: number;
  /**
   * Client events one socket may send in a burst before it is rate limited.
   * @default 50
   */
  eventBurst: number;
  /**
   * Sustained client events per second and socket (the burst's refill rate).
   * @default 10
   */
  eventsPerSecond: number;
  /**
   * Handshakes one client IP may open in a burst before it gets `429`.
   * @default 200
   */
  handshakeBurst: number;
  /**
   * Sustained handshakes per second and client IP (the burst's refill rate).
   * @default 100
   */
  handshakesPerSecond: number;
  /**
   * Engine.IO connections one client address (an IPv6 one by its /64) may hold open at once;
   * a new one past it is refused with 429. Offices and mobile carriers put many users
   * behind one address: keep it well above the devices such a network has.
   * @default 100
   */
  maxSocketsPerAddress: number;
}

/** Where the cluster meets: Redis for the Socket.IO adapter and cluster-wide presence. */
export interface RealtimeRedisOptions {
  /** `redis://` or `rediss://` (TLS) URL. */
  url: string;
  /** Every key and channel starts with it, so several clusters can share one Redis. */
  keyPrefix: string;
  /**
   * How long a Redis command (XADD, presence, health PING) may go unanswered before it
   * fails and the process carries on with what it has locally.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/** A Socket.IO transport the server accepts. */
export type RealtimeTransport = 'websocket' | 'polling';

/**
 * What an application passes to `RealtimeModule.forRoot` (or returns from the
 * `forRootAsync` factory); omitted fields take their defaults.
 */
export interface RealtimeModuleOptions {
  /**
   * Socket.IO endpoint path.
   * @default '/socket.io/'
   */
  path?: string;
  /**
   * Browser origins allowed by Socket.IO's CORS and the handshake Origin check; `'*'`
   * allows any. Without entries only clients that send no Origin (server-side clients)
   * may connect.
   * @default []
   */
  corsOrigins?: string[];
  /**
   * Transports the server accepts, in the client's preferred order.
   * @default ['websocket', 'polling']
   */
  transports?: RealtimeTransport[];
  /** How handshake and HTTP bearer tokens are verified (shared secret or JWKS). */
  jwt: JwtVerificationOptions;
  /** Size and rate limits; each omitted field takes its own default. */
  limits?: Partial<RealtimeLimits>;
  /**
   * Set: cluster mode (Socket.IO Redis Streams adapter, cluster-wide presence). Unset: one
   * process, everything in memory.
   * @default undefined
   */
  redis?: RealtimeRedisOptions;
  /**
   * Key the service endpoints expect in `x-api-key`; unset, they answer 401.
   * @default undefined
   */
  apiKey?: string;
  /**
   * How long a token revocation (`POST /realtime/users/:id/disconnect` with
   * `revokeTokensIssuedBefore`) is kept: set it to the longest lifetime of the tokens you
   * accept, after which every token it refuses has expired anyway.
   * @default 86400 (24 hours)
   */
  revocationTtlSeconds?: number;
}

/**
 * Decided when the module is defined rather than by the (possibly asynchronous) options,
 * because Nest reads a module's controllers before any provider exists.
 */
export interface RealtimeModuleExtras {
  /**
   * Mount the service HTTP endpoints (`/realtime/...`, under the app's global prefix).
   * @default true
   */
  serviceEndpoints?: boolean;
}

/**
 * A class `forRootAsync({ useClass })` instantiates to obtain the options, e.g. one that
 * reads the application's configuration service.
 */
export interface RealtimeOptionsFactory {
  createRealtimeOptions(): RealtimeModuleOptions | Promise<RealtimeModuleOptions>;
}

/** The options after defaults were applied and checked, as injected with `REALTIME_OPTIONS`. */
export interface ResolvedRealtimeOptions {
  path: string;
  corsOrigins: string[];
  transports: RealtimeTransport[];
  jwt: JwtVerificationOptions;
  limits: RealtimeLimits;
  redis?: RealtimeRedisOptions;
  apiKey?: string;
  revocationTtlSeconds: number;
}
