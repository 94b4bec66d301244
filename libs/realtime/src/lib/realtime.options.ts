import { DEFAULT_REVOCATION_TTL_SECONDS } from './revocation/token-revocations';
import type {
  RealtimeLimits,
  RealtimeModuleOptions,
  RealtimeTransport,
  ResolvedRealtimeOptions,
} from './interfaces/realtime-module-options.interface';

export type {
  RealtimeLimits,
  RealtimeModuleOptions,
  RealtimeRedisOptions,
  RealtimeTransport,
  ResolvedRealtimeOptions,
} from './interfaces/realtime-module-options.interface';

/** The limits an application gets for every field it leaves out of `limits`. */
export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = Object.freeze({
  maxMessageBytes: 100_000,
  eventBurst: 50,
  eventsPerSecond: 10,
  handshakeBurst: 200,
  handshakesPerSecond: 100,
  maxSocketsPerAddress: 100,
});

const DEFAULT_TRANSPORTS: readonly RealtimeTransport[] = ['websocket', 'polling'];

/**
 * Injection token of the resolved options (defaults applied, limits checked). Inject it to
 * read the gateway's effective configuration:
 *
 *   constructor(@Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions) {}
 */
export const REALTIME_OPTIONS = Symbol('REALTIME_OPTIONS');

/**
 * Applies the defaults and rejects a limit that is not a positive number, so a bad
 * configuration stops the application at start-up instead of disabling a limit.
 */
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
  return {
    path: options.path ?? '/socket.io/',
    corsOrigins: [...(options.corsOrigins ?? [])],
    transports: options.transports?.length ? [...options.transports] : [...DEFAULT_TRANSPORTS],
    jwt: options.jwt,
    limits,
    redis: options.redis,
    apiKey: options.apiKey,
    revocationTtlSeconds: positive(
      'revocationTtlSeconds',
      options.revocationTtlSeconds ?? DEFAULT_REVOCATION_TTL_SECONDS,
    ),
  };
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`RealtimeModule: ${name} must be a positive number (got ${value})`);
  return value;
}
