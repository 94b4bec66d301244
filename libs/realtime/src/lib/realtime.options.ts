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
}

export interface RealtimeModuleOptions {
  /** Socket.IO endpoint path (WS_PATH). */
  path: string;
  /** Allowed browser origins for HTTP CORS, Socket.IO CORS and the handshake Origin check. */
  corsOrigins: string[];
  transports: ('websocket' | 'polling')[];
  jwt: JwtVerificationOptions;
  limits: RealtimeLimits;
  /** Set → Redis adapter and cluster-wide presence; unset → one process, in memory. */
  redis?: RealtimeRedisOptions;
  /** Key for the service endpoints (`x-api-key`); unset disables them (401). */
  apiKey?: string;
}

export const REALTIME_OPTIONS = Symbol('REALTIME_OPTIONS');
