import type { JwtVerificationOptions } from './auth/token-verifier';

export interface RealtimeLimits {
  /** Largest single Socket.IO message; a bigger one closes that socket (maxHttpBufferSize). */
  maxMessageBytes: number;
  /** Client events per socket: a burst of `eventBurst`, refilled at `eventsPerSecond`. */
  eventBurst: number;
  eventsPerSecond: number;
  /** Handshakes per client IP: a burst of `handshakeBurst`, refilled at `handshakesPerSecond`. */
  handshakeBurst: number;
  handshakesPerSecond: number;
}

export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = {
  maxMessageBytes: 100_000,
  eventBurst: 50,
  eventsPerSecond: 10,
  handshakeBurst: 200,
  handshakesPerSecond: 100,
};

export interface RealtimeRedisOptions {
  /** redis:// or rediss:// (TLS). */
  url: string;
  /** Every key and channel starts with it, so clusters can share one Redis. */
  keyPrefix: string;
  /**
   * How long a Redis command (XADD, presence, health PING) may go unanswered before it
   * fails and the process carries on with what it has locally. Default 1000 ms.
   */
  commandTimeoutMs?: number;
}

export type RealtimeTransport = 'websocket' | 'polling';

/** What an application passes to `RealtimeModule.forRoot`; omitted fields take the defaults. */
export interface RealtimeModuleOptions {
  /** Socket.IO endpoint path (WS_PATH). Default `/socket.io/`. */
  path?: string;
  /**
   * Allowed browser origins for Socket.IO CORS and the handshake Origin check; `*` allows
   * any. Default: none, i.e. only clients that send no Origin (server-side clients).
   */
  corsOrigins?: string[];
  /** Default both, websocket first. */
  transports?: RealtimeTransport[];
  jwt: JwtVerificationOptions;
  limits?: Partial<RealtimeLimits>;
  /**
   * Set → cluster mode: Socket.IO Redis adapter and cluster-wide presence. Unset → one
   * process, in memory. This is the single switch point (see cluster/cluster-backend.ts).
   */
  redis?: RealtimeRedisOptions;
  /** Key for the service endpoints (`x-api-key`); unset disables them (401). */
  apiKey?: string;
  /**
   * Mount the service HTTP endpoints (`/realtime/...`, under the app's global prefix).
   * Default true.
   */
  serviceEndpoints?: boolean;
}

/** The options after defaults were applied, as injected with REALTIME_OPTIONS. */
export interface ResolvedRealtimeOptions {
  path: string;
  corsOrigins: string[];
  transports: RealtimeTransport[];
  jwt: JwtVerificationOptions;
  limits: RealtimeLimits;
  redis?: RealtimeRedisOptions;
  apiKey?: string;
  serviceEndpoints: boolean;
}

export const REALTIME_OPTIONS = Symbol('REALTIME_OPTIONS');

export function resolveRealtimeOptions(options: RealtimeModuleOptions): ResolvedRealtimeOptions {
  const limits: RealtimeLimits = { ...DEFAULT_REALTIME_LIMITS };
  for (const [key, value] of Object.entries(options.limits ?? {}) as [
    keyof RealtimeLimits,
    number | undefined,
  ][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`RealtimeModule: limits.${key} must be a positive number (got ${value})`);
    }
    limits[key] = value;
  }
  const transports = options.transports?.length
    ? [...options.transports]
    : (['websocket', 'polling'] as RealtimeTransport[]);
  return {
    path: options.path ?? '/socket.io/',
    corsOrigins: [...(options.corsOrigins ?? [])],
    transports,
    jwt: options.jwt,
    limits,
    redis: options.redis,
    apiKey: options.apiKey,
    serviceEndpoints: options.serviceEndpoints ?? true,
  };
}
