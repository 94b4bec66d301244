import { HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, HeraldError, isErrorCode, type ErrorDetail } from '@herald/ws-contracts';

/** What a client is told about a failure it cannot act on; the details go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';

/**
 * The code of an exception that carries only an HTTP status: those Nest raises itself
 * (unknown route, a bare `UnauthorizedException`) and those of Express middleware such as
 * body-parser. The inverse of `HTTP_STATUS_BY_ERROR_CODE` where one status has one meaning;
 * 401 without a code is a bad token, since the API key guard always names its code.
 */
const CODE_BY_HTTP_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.InvalidPayload,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.TokenInvalid,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UnsupportedMediaType,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
  [HttpStatus.INTERNAL_SERVER_ERROR]: ErrorCode.Internal,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.Unavailable,
};

/** The code an error that only has an HTTP status stands for; undefined for other statuses. */
export function errorCodeForHttpStatus(status: number): ErrorCode | undefined {
  return CODE_BY_HTTP_STATUS[status];
}

/**
 * The one mapping from anything thrown to what a client may see, over HTTP and over
 * Socket.IO alike. A HeraldError is kept as it is; Nest's own HttpException and
 * WsException (raised by guards, pipes and the router) get the code their status or
 * payload stands for; anything else is a bug and becomes INTERNAL_ERROR with a generic
 * message and the original error as `cause`, for the log only.
 */
export function toHeraldError(error: unknown): HeraldError {
  if (error instanceof HeraldError) return error;
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof WsException) return fromWsException(error);
  return internal(error);
}

/** `{ code, message }` for a socket client (acknowledgement, `error` event, `connect_error`). */
export function toErrorDetail(error: unknown): ErrorDetail {
  return toHeraldError(error).toDetail();
}

function fromHttpException(exception: HttpException): HeraldError {
  const response = exception.getResponse();
  const given =
    typeof response === 'object' && response !== null
      ? (response as { code?: unknown; message?: unknown })
      : { message: response };
  const code = isErrorCode(given.code) ? given.code : errorCodeForHttpStatus(exception.getStatus());
  if (!code) return internal(exception);
  const raw = given.message ?? exception.message;
  const details = Array.isArray(raw) ? raw.map(String) : undefined;
  const message = details ? details.join('; ') : String(raw);
  return new HeraldError(code, message, { details, cause: exception });
}

function fromWsException(exception: WsException): HeraldError {
  const raw = exception.getError();
  const given =
    typeof raw === 'object' && raw !== null
      ? (raw as { code?: unknown; message?: unknown })
      : { message: raw };
  const message = String(given.message ?? raw);
  // Nest raises 'Forbidden resource' itself when a guard refuses a message.
  const code = isErrorCode(given.code)
    ? given.code
    : message === 'Forbidden resource'
      ? ErrorCode.Forbidden
      : ErrorCode.InvalidPayload;
  return new HeraldError(code, message, { cause: exception });
}

function internal(cause: unknown): HeraldError {
  return new HeraldError(ErrorCode.Internal, INTERNAL_ERROR_MESSAGE, { cause });
}
