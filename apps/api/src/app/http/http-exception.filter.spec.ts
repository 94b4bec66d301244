import {
  BadRequestException,
  ForbiddenException,
  Logger,
  NotFoundException,
  UnauthorizedException,
  type ArgumentsHost,
} from '@nestjs/common';
import { ErrorCode, HeraldError, type HttpErrorBody } from '@herald/ws-contracts';
import { HttpExceptionFilter } from './http-exception.filter';

interface Answer {
  status?: number;
  body?: HttpErrorBody;
  headers: Record<string, string>;
}

/** Runs the filter on `exception` as if it were thrown while serving an HTTP request. */
function answer(exception: unknown): Answer {
  const result: Answer = { headers: {} };
  const response = {
    headersSent: false,
    setHeader(name: string, value: string) {
      result.headers[name.toLowerCase()] = value;
    },
    status(status: number) {
      result.status = status;
      return this;
    },
    json(body: HttpErrorBody) {
      result.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return result;
}

/** An error as body-parser raises it (http-errors: status, statusCode, type). */
const parserError = (status: number, type: string, message = 'parser says no') =>
  Object.assign(new Error(message), { status, statusCode: status, type, expose: true });

describe('HttpExceptionFilter: every HTTP error is { statusCode, message, error, code }', () => {
  let logged: unknown[];
  beforeEach(() => {
    logged = [];
    vi.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      logged.push(message);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(Object.values(ErrorCode))(
    'answers a HeraldError %s with the status of the table',
    (code) => {
      const error = new HeraldError(code, 'what happened');
      const { status, body } = answer(error);
      expect(status).toBe(error.status);
      expect(body).toEqual({
        statusCode: error.status,
        message: 'what happened',
        error: expect.any(String),
        code,
      });
    },
  );

  it('lists per-field details as the message', () => {
    const { status, body } = answer(
      new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', {
        details: ['title: required', 'userId: too long'],
      }),
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      statusCode: 400,
      message: ['title: required', 'userId: too long'],
      error: 'Bad Request',
      code: ErrorCode.InvalidPayload,
    });
  });

  it('sends Retry-After when the error names a delay', () => {
    const limited = answer(
      new HeraldError(ErrorCode.RateLimited, 'slow down', { retryAfterSeconds: 6 }),
    );
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('6');
    expect(limited.body).toMatchObject({ error: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(answer(new HeraldError(ErrorCode.NotFound, 'gone')).headers).toEqual({});
  });

  it.each([
    [new NotFoundException('Cannot GET /api/nope'), 404, ErrorCode.NotFound, 'Not Found'],
    [new UnauthorizedException(), 401, ErrorCode.TokenInvalid, 'Unauthorized'],
    [new ForbiddenException(), 403, ErrorCode.Forbidden, 'Forbidden'],
    [new BadRequestException(['a: required']), 400, ErrorCode.InvalidPayload, 'Bad Request'],
  ])('gives a Nest exception (%s) the code of its status', (exception, status, code, reason) => {
    expect(answer(exception)).toMatchObject({
      status,
      body: { statusCode: status, code, error: reason },
    });
  });

  it.each([
    [parserError(413, 'entity.too.large'), 413, ErrorCode.PayloadTooLarge],
    [parserError(400, 'entity.parse.failed'), 400, ErrorCode.InvalidPayload],
    [parserError(415, 'encoding.unsupported'), 415, ErrorCode.UnsupportedMediaType],
    [parserError(415, 'charset.unsupported'), 415, ErrorCode.UnsupportedMediaType],
    [parserError(400, 'request.aborted'), 400, ErrorCode.InvalidPayload],
    [
      Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' }),
      400,
      ErrorCode.InvalidPayload,
    ],
  ])('answers a body-parser error (%#) as the client’s, with a code', (exception, status, code) => {
    const { body } = answer(exception);
    expect(body).toMatchObject({ statusCode: status, code });
    expect(logged).toEqual([]);
  });

  it('names the body-parser failures in words', () => {
    expect(answer(parserError(413, 'entity.too.large')).body?.message).toBe(
      'Request body is larger than the limit',
    );
    expect(answer(parserError(400, 'entity.parse.failed')).body?.message).toBe(
      'Request body is not valid JSON',
    );
  });

  it.each([
    new Error('SELECT * FROM secrets failed at 10.0.0.3'),
    'a string',
    parserError(500, 'stream.encoding.set'),
    { status: 400 },
  ])('answers anything else (%#) with a logged 500 INTERNAL_ERROR and no details', (exception) => {
    const { status, body } = answer(exception);
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      message: 'Internal error',
      error: 'Internal Server Error',
      code: ErrorCode.Internal,
    });
    expect(logged).toHaveLength(1);
  });

  it('does not answer twice once headers are out', () => {
    const response = { headersSent: true, status: vi.fn() };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => response }),
    } as unknown as ArgumentsHost;
    new HttpExceptionFilter().catch(new Error('late'), host);
    expect(response.status).not.toHaveBeenCalled();
  });
});
