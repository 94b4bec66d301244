import { Redis, type RedisOptions } from 'ioredis';

/** Longest wait between two reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Delay before reconnection attempt `attempt` (1, 2, …): exponential from 50 ms, capped at
 * {@link MAX_RECONNECT_DELAY_MS}, with "equal jitter" (half fixed, half random) so that the
 * processes of a cluster do not all hit a Redis that just came back in the same instant.
 * It never gives up: a process must heal by itself whenever Redis returns.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(
    MAX_RECONNECT_DELAY_MS,
    50 * 2 ** Math.min(Math.max(attempt, 1) - 1, 16),
  );
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}

/**
 * Options of every Herald Redis connection. `rediss://` URLs turn TLS on (ioredis reads it
 * from the URL). Callers choose the offline behaviour:
 *
 * - commands (`offlineQueue: false`): fail at once while Redis is unreachable, and after
 *   `commandTimeoutMs` while it does not answer, so an emit is delivered locally and
 *   presence falls back to this process;
 * - blocking readers and subscribers (`offlineQueue: true`): wait for the connection to come
 *   back, then resend (XREAD) or resubscribe (ioredis' `autoResubscribe`, on by default).
 */
export function heraldRedisOptions(
  role: string,
  offlineQueue: boolean,
  commandTimeoutMs?: number,
): RedisOptions {
  return {
    connectionName: `herald:${role}`,
    retryStrategy: (attempt) => reconnectDelay(attempt),
    enableOfflineQueue: offlineQueue,
    // null: a queued command waits for the reconnection instead of failing after N retries.
    maxRetriesPerRequest: offlineQueue ? null : 1,
    autoResubscribe: true,
    autoResendUnfulfilledCommands: true,
    connectTimeout: 5_000,
    // A half-open TCP connection is noticed by keep-alive rather than never.
    keepAlive: 10_000,
    // A Redis that accepts the connection but stops answering (fork stall, CLIENT PAUSE, a
    // partition without a reset) fails each command after this instead of holding it
    // forever. Never on the waiting connections: their XREAD BLOCK waits on purpose.
    ...(commandTimeoutMs === undefined ? {} : { commandTimeout: commandTimeoutMs }),
  };
}

/**
 * An ioredis client that never leaves a rejected promise unhandled. The Socket.IO Redis
 * adapter fires some commands and forgets them (the PUBLISH of ephemeral messages, the SET
 * that persists a session for connection state recovery); while Redis is down they reject,
 * and an unhandled rejection would end the process. Awaited commands still reject for
 * their caller: only the "unhandled" mark is removed.
 *
 * `duplicate()` (the adapter calls it for its stream reader and its subscriber) returns a
 * waiting client (offline queue on) and reports it to `onDuplicate`, so its state is part
 * of the health check and it is closed with the rest.
 */
export class HeraldRedis extends Redis {
  onDuplicate?: (client: HeraldRedis) => void;
  private copies = 0;

  constructor(
    /** The URL the client was built from (ioredis keeps only the parsed options). */
    readonly sourceUrl: string,
    readonly purpose: string,
    offlineQueue: boolean,
    overrides: Partial<RedisOptions> = {},
    commandTimeoutMs?: number,
  ) {
    super(sourceUrl, {
      ...heraldRedisOptions(purpose, offlineQueue, commandTimeoutMs),
      ...overrides,
    });
    // Without a listener an 'error' event would be thrown; state changes are watched instead.
    this.on('error', () => undefined);
  }

  override sendCommand(
    ...args: Parameters<Redis['sendCommand']>
  ): ReturnType<Redis['sendCommand']> {
    const result = super.sendCommand(...args);
    if (result instanceof Promise) result.catch(() => undefined);
    return result;
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    // The streams adapter duplicates twice: its stream reader, then its pub/sub subscriber.
    const copy = new HeraldRedis(
      this.sourceUrl,
      `${this.purpose}-copy${++this.copies}`,
      true,
      override,
    );
    this.onDuplicate?.(copy);
    return copy;
  }
}

/**
 * Resolves once the client is ready; rejects with one clear line if it is not within
 * `timeoutMs` (a wrong REDIS_URL must stop start-up rather than start a lonely process).
 */
export function waitUntilReady(client: Redis, url: string, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error) => (lastError = error);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      const reason = lastError ? `: ${lastError.message}` : '';
      reject(
        new Error(
          `REDIS_URL: cannot connect to ${redactRedisUrl(url)} within ${timeoutMs} ms${reason}`,
        ),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
    };
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** A Herald Redis connection; see {@link heraldRedisOptions} for `offlineQueue`. */
export function createRedisConnection(
  url: string,
  role: string,
  options: { offlineQueue: boolean; commandTimeoutMs?: number },
): HeraldRedis {
  return new HeraldRedis(url, role, options.offlineQueue, {}, options.commandTimeoutMs);
}
