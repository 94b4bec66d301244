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
  /** A dependency (database, Redis) is down; retry later. */
  Unavailable: 'SERVICE_UNAVAILABLE',
  /** A bug on our side; details are logged, never sent. */
  Internal: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const AUTH_ERROR_CODES: readonly ErrorCode[] = [
  ErrorCode.TokenMissing,
  ErrorCode.TokenInvalid,
  ErrorCode.TokenExpired,
];

export interface ErrorDetail {
  code: ErrorCode;
  message: string;
}

/** Body of every HTTP error response (Nest's shape). */
export interface HttpErrorBody {
  statusCode: number;
  message: string | string[];
  error: string;
  code?: ErrorCode;
}
