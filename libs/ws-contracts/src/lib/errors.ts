/**
 * Machine-readable error codes. They appear in `connect_error.data.code`, in the
 * `error` event, and in negative acknowledgements `{ ok: false, error: { code } }`.
 */
export const ErrorCode = {
  /** Handshake without a token. */
  TokenMissing: 'TOKEN_MISSING',
  /** Malformed, wrongly signed, `alg: none`, not yet valid, wrong issuer/audience or subject. */
  TokenInvalid: 'TOKEN_INVALID',
  /** Token past its `exp` (at handshake, while connected, or on `auth:refresh`). */
  TokenExpired: 'TOKEN_EXPIRED',
  /** A browser handshake from an origin outside CORS_ORIGIN. */
  OriginNotAllowed: 'ORIGIN_NOT_ALLOWED',
  /** A client event payload that does not match its schema. */
  InvalidPayload: 'INVALID_PAYLOAD',
  /** An event the server does not know, sent with an acknowledgement. */
  UnknownEvent: 'UNKNOWN_EVENT',
  /** Too many client events or handshakes. */
  RateLimited: 'RATE_LIMITED',
  /** The id does not exist or belongs to another user (never revealed which). */
  NotFound: 'NOT_FOUND',
  /** Allowed to connect, not allowed to do this (e.g. `auth:refresh` for another user). */
  Forbidden: 'FORBIDDEN',
  /** Service endpoint called without `x-api-key`, with a wrong one, or with the service API off. */
  ApiKeyInvalid: 'API_KEY_INVALID',
  /** A request body or message over its size limit. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** A request body in a content type or encoding the API does not read. */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** An `Idempotency-Key` sent again with a different request body. */
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  /** A dependency (database, Redis) is down; retry later. */
  Unavailable: 'SERVICE_UNAVAILABLE',
  /** A publish refused because the server is past its load bound; retry after `Retry-After`. */
  Overloaded: 'OVERLOADED',
  /** A bug on our side; details are logged, never sent. */
  Internal: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The HTTP status of every code: the one table the HTTP API and the gateway read, so an
 * error means the same thing over HTTP and in a Socket.IO acknowledgement.
 */
export const HTTP_STATUS_BY_ERROR_CODE: Readonly<Record<ErrorCode, number>> = {
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  API_KEY_INVALID: 401,
  ORIGIN_NOT_ALLOWED: 403,
  FORBIDDEN: 403,
  INVALID_PAYLOAD: 400,
  UNKNOWN_EVENT: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  OVERLOADED: 503,
};

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** Narrows a string received from elsewhere (a thrown object, a peer) to a known code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
}

export interface HeraldErrorOptions {
  /** Per-field problems (validation); HTTP bodies list them as `message`. */
  details?: readonly string[];
  /** Seconds a client should wait before retrying (429, 503); sent as `Retry-After`. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error type Herald throws for anything a client should see. Its code decides the
 * HTTP status (through HTTP_STATUS_BY_ERROR_CODE) and is sent as it is in HTTP error bodies,
 * `connect_error.data`, the `error` event and negative acknowledgements. Its message is
 * written for the client: never put internal details in it.
 */
export class HeraldError extends Error {
  override readonly name = 'HeraldError';
  readonly details?: readonly string[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: HeraldErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Whether `error` is a HeraldError, and of `code` when one is given. */
  static is(error: unknown, code?: ErrorCode): error is HeraldError {
    return error instanceof HeraldError && (code === undefined || error.code === code);
  }

  get status(): number {
    return HTTP_STATUS_BY_ERROR_CODE[this.code];
  }

  /**
   * What a socket client receives (`connect_error.data`, the `error` event, a negative
   * acknowledgement): per-field details, when there are any, joined into the message.
   */
  toDetail(): ErrorDetail {
    const message = this.details?.length ? this.details.join('; ') : this.message;
    return { code: this.code, message };
  }
}

export const AUTH_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.TokenMissing,
  ErrorCode.TokenInvalid,
  ErrorCode.TokenExpired,
];

export interface ErrorDetail {
  code: ErrorCode;
  message: string;
}

/**
 * Body of every HTTP error response: Nest's shape plus the machine-readable `code`.
 * `message` is the list of per-field problems when there are any, else one sentence.
 */
export interface HttpErrorBody {
  /** The HTTP status, `HTTP_STATUS_BY_ERROR_CODE[code]`. */
  statusCode: number;
  message: string | string[];
  /** The status's reason phrase, e.g. `Not Found`. */
  error: string;
  code: ErrorCode;
}
