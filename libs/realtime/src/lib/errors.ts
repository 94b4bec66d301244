import { HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, type ErrorDetail } from '@herald/ws-contracts';

/** An error meant for the client: its code and message are sent as they are. */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.InvalidPayload,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.TokenInvalid,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.InvalidPayload,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.Unavailable,
};

/**
 * One mapping from anything thrown by a handler to what a client may see. Unknown errors
 * become INTERNAL_ERROR with a generic message; their details belong in the log only.
 */
export function toErrorDetail(error: unknown): ErrorDetail {
  if (error instanceof RealtimeError) return { code: error.code, message: error.message };
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const code =
      (typeof response === 'object' && (response as { code?: ErrorCode }).code) ||
      CODE_BY_STATUS[error.getStatus()] ||
      ErrorCode.Internal;
    const raw =
      typeof response === 'object' ? (response as { message?: unknown }).message : response;
    const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? error.message);
    return { code, message };
  }
  if (error instanceof WsException) {
    // Nest raises these itself, e.g. 'Forbidden resource' when a guard refuses a message.
    const raw = error.getError();
    const given =
      typeof raw === 'object' && raw !== null
        ? (raw as { code?: unknown; message?: unknown })
        : undefined;
    const message = String(given?.message ?? raw);
    const code = isErrorCode(given?.code)
      ? given.code
      : message === 'Forbidden resource'
        ? ErrorCode.Forbidden
        : ErrorCode.InvalidPayload;
    return { code, message };
  }
  return { code: ErrorCode.Internal, message: 'Internal error' };
}

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));
function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
}
