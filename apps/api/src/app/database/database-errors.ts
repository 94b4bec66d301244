import { ErrorCode, HeraldError } from '@herald/ws-contracts';

/** Node socket errors that mean "the server is not reachable right now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** node-postgres and PGlite report lost or impossible connections with these messages. */
const CONNECTION_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'cannot use a pool after calling end',
  'client has encountered a connection error',
  'pglite is closed',
  // The embedded database's thread died; a new one is reopening it.
  'the database thread stopped',
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and every `cause` below it (Drizzle wraps driver errors in DrizzleQueryError). */
function* causes(error: unknown): Generator<ErrorLike> {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    yield current as ErrorLike;
    current = (current as ErrorLike).cause;
  }
}

export function isConnectionError(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutting down / cannot connect now),
    // 53300 (too many connections).
    if (
      NETWORK_CODES.has(code) ||
      code.startsWith('08') ||
      /^57P0[123]$/.test(code) ||
      code === '53300'
    )
      return true;
    const message = typeof e.message === 'string' ? e.message.toLowerCase() : '';
    if (CONNECTION_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

/** SQLSTATE class 22 (data exception): the input itself cannot be stored, e.g. `\u0000` in JSON. */
function dataExceptionOf(error: unknown): ErrorLike | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return e;
  }
  return undefined;
}

/**
 * SQLSTATE 55P03 (lock_not_available: `lock_timeout` passed), 40P01 (deadlock) and 40001
 * (serialization failure): the work was rolled back because of other work; a retry succeeds.
 */
function isContention(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === '55P03' || e.code === '40P01' || e.code === '40001') return true;
  }
  return false;
}

/**
 * Maps a failed query to what the caller should see: an outage becomes SERVICE_UNAVAILABLE
 * (HTTP 503, and the same code on sockets), input the database refuses becomes
 * INVALID_PAYLOAD (400); anything else is a bug and propagates unchanged. The driver's
 * error stays as the `cause`, for the log.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (HeraldError.is(error)) return error;
  if (isConnectionError(error)) {
    return new HeraldError(ErrorCode.Unavailable, 'The database is unavailable; retry later', {
      cause: error,
    });
  }
  if (isContention(error)) {
    return new HeraldError(ErrorCode.Unavailable, 'The database is busy; retry the request', {
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  const dataError = dataExceptionOf(error);
  if (dataError) {
    const detail = typeof dataError.message === 'string' ? dataError.message : 'invalid value';
    return new HeraldError(ErrorCode.InvalidPayload, 'The database refused the data', {
      details: [`the database refused the data: ${detail}`],
      cause: error,
    });
  }
  return error;
}
