import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import type { HttpErrorBody } from '@herald/ws-contracts';

/** Errors thrown by body-parser carry an HTTP status and a `type`. */
interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  /** zlib errors carry a code (Z_DATA_ERROR, Z_BUF_ERROR, brotli's ERR__ERROR_FORMAT_…) and no status. */
  code?: unknown;
}

/** Anything that declares itself a dependency outage (database, Redis) answers 503. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Every HTTP error is JSON `{ statusCode, message, error }` (SPEC §4), including errors
 * raised before a controller runs (oversized or malformed bodies). Unknown errors are
 * logged with their stack and answered with a generic 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const body = this.toBody(exception);
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): HttpErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null) {
        const r = response as Partial<HttpErrorBody>;
        return {
          ...r,
          statusCode: status,
          message: r.message ?? exception.message,
          error: r.error ?? REASON[status] ?? 'Error',
        };
      }
      return { statusCode: status, message: String(response), error: REASON[status] ?? 'Error' };
    }
    if (exception instanceof DependencyUnavailableError) {
      return { statusCode: 503, message: exception.message, error: REASON[503] };
    }
    const parserError = exception as BodyParserError;
    // A corrupt gzip/deflate/br body fails inside body-parser's decompression stream,
    // which reports it without a status: it is the client's bad input, not our bug.
    if (
      typeof parserError?.code === 'string' &&
      /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(parserError.code)
    ) {
      return {
        statusCode: 400,
        message: 'Request body could not be decompressed',
        error: REASON[400],
      };
    }
    const status = parserError?.status ?? parserError?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500 && parserError.type) {
      const message =
        parserError.type === 'entity.too.large'
          ? 'Request body is larger than the limit'
          : parserError.type === 'entity.parse.failed'
            ? 'Request body is not valid JSON'
            : String((exception as Error).message);
      return { statusCode: status, message, error: REASON[status] ?? 'Error' };
    }
    this.logger.error({ msg: 'Unhandled error', err: exception });
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      message: 'Internal server error',
      error: REASON[500],
    };
  }
}
