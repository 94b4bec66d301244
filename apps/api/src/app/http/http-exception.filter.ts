import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { errorCodeForHttpStatus, toHeraldError } from '@herald/realtime';
import { ErrorCode, HeraldError, type HttpErrorBody } from '@herald/ws-contracts';

/** What body-parser (and the zlib stream under it) attach to the errors it raises. */
interface BodyParserError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  /** zlib errors carry a code (Z_DATA_ERROR, Z_BUF_ERROR, brotli's ERR__ERROR_FORMAT_…) and no status. */
  code?: unknown;
}

/** Client-facing messages for the body-parser failures worth naming. */
const BODY_PARSER_MESSAGES: Readonly<Record<string, string>> = {
  'entity.too.large': 'Request body is larger than the limit',
  'entity.parse.failed': 'Request body is not valid JSON',
  'encoding.unsupported': 'Request body encoding is not supported',
  'charset.unsupported': 'Request body charset is not supported',
};

/**
 * The API's one HTTP error answer: `{ statusCode, message, error, code }`, with the status
 * read from HTTP_STATUS_BY_ERROR_CODE through the HeraldError every error path throws,
 * plus `Retry-After` when the error names one. Nest's own exceptions (unknown route,
 * guards) and body-parser's (oversized, malformed or undecodable bodies, raised before a
 * controller runs) get the code their status stands for; anything else is a bug, logged
 * with its stack and answered 500 INTERNAL_ERROR without details.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const error = fromBodyParser(exception) ?? toHeraldError(exception);
    if (error.code === ErrorCode.Internal) {
      this.logger.error({ msg: 'Unhandled error', err: error.cause ?? error });
    }
    if (error.retryAfterSeconds !== undefined) {
      res.setHeader('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    }
    res.status(error.status).json(httpErrorBody(error));
  }
}

/** The body of `error`: per-field details, when there are any, are its `message`. */
export function httpErrorBody(error: HeraldError): HttpErrorBody {
  return {
    statusCode: error.status,
    message: error.details?.length ? [...error.details] : error.message,
    error: STATUS_CODES[error.status] ?? 'Error',
    code: error.code,
  };
}

/** A body-parser failure as the client's error; undefined for anything else. */
function fromBodyParser(exception: unknown): HeraldError | undefined {
  if (typeof exception !== 'object' || exception === null || HeraldError.is(exception))
    return undefined;
  const { status, statusCode, type, code } = exception as BodyParserError;
  // A corrupt gzip/deflate/br body fails inside body-parser's decompression stream, which
  // reports it without a status: it is the client's bad input, not our bug.
  if (typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(code)) {
    return new HeraldError(ErrorCode.InvalidPayload, 'Request body could not be decompressed', {
      cause: exception,
    });
  }
  const httpStatus = typeof status === 'number' ? status : statusCode;
  if (typeof type !== 'string' || typeof httpStatus !== 'number') return undefined;
  if (httpStatus < 400 || httpStatus >= 500) return undefined;
  const errorCode = errorCodeForHttpStatus(httpStatus) ?? ErrorCode.InvalidPayload;
  const message = BODY_PARSER_MESSAGES[type] ?? String((exception as Error).message);
  return new HeraldError(errorCode, message, { cause: exception });
}
