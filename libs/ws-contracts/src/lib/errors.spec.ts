import {
  AUTH_ERROR_CODES,
  ErrorCode,
  HeraldError,
  HTTP_STATUS_BY_ERROR_CODE,
  isErrorCode,
} from './errors';

describe('HTTP_STATUS_BY_ERROR_CODE: the one table from code to HTTP status', () => {
  it('gives every error code an HTTP error status and lists nothing else', () => {
    expect(Object.keys(HTTP_STATUS_BY_ERROR_CODE).sort()).toEqual(Object.values(ErrorCode).sort());
    for (const status of Object.values(HTTP_STATUS_BY_ERROR_CODE)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it.each([
    [ErrorCode.TokenMissing, 401],
    [ErrorCode.ApiKeyInvalid, 401],
    [ErrorCode.Forbidden, 403],
    [ErrorCode.InvalidPayload, 400],
    [ErrorCode.NotFound, 404],
    [ErrorCode.PayloadTooLarge, 413],
    [ErrorCode.UnsupportedMediaType, 415],
    [ErrorCode.IdempotencyKeyReused, 422],
    [ErrorCode.RateLimited, 429],
    [ErrorCode.Internal, 500],
    [ErrorCode.Unavailable, 503],
    [ErrorCode.Overloaded, 503],
  ])('answers %s with %i', (code, status) => {
    expect(HTTP_STATUS_BY_ERROR_CODE[code]).toBe(status);
  });

  it('makes every authentication failure a 401', () => {
    for (const code of AUTH_ERROR_CODES) expect(HTTP_STATUS_BY_ERROR_CODE[code]).toBe(401);
  });
});

describe('isErrorCode', () => {
  it('accepts the codes and nothing else', () => {
    for (const code of Object.values(ErrorCode)) expect(isErrorCode(code)).toBe(true);
    for (const value of ['NotFound', 'not_found', '', 404, null, undefined, { code: 'NOT_FOUND' }])
      expect(isErrorCode(value)).toBe(false);
  });
});

describe('HeraldError', () => {
  it('takes its status from the table', () => {
    for (const code of Object.values(ErrorCode))
      expect(new HeraldError(code, 'x').status).toBe(HTTP_STATUS_BY_ERROR_CODE[code]);
  });

  it('is an Error with its own name, a client-facing message and an optional cause', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.3:5432');
    const error = new HeraldError(ErrorCode.Unavailable, 'The database is unavailable', {
      cause,
      retryAfterSeconds: 5,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HeraldError');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterSeconds).toBe(5);
    expect(error.toDetail()).toEqual({
      code: ErrorCode.Unavailable,
      message: 'The database is unavailable',
    });
  });

  it('sends per-field details to sockets as one message', () => {
    const error = new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', {
      details: ['a: required', 'b: too long'],
    });
    expect(error.toDetail()).toEqual({
      code: ErrorCode.InvalidPayload,
      message: 'a: required; b: too long',
    });
    expect(
      new HeraldError(ErrorCode.InvalidPayload, 'Invalid', { details: [] }).toDetail(),
    ).toEqual({ code: ErrorCode.InvalidPayload, message: 'Invalid' });
  });

  it('recognises itself, optionally by code', () => {
    const error = new HeraldError(ErrorCode.InvalidPayload, 'bad');
    expect(HeraldError.is(error)).toBe(true);
    expect(HeraldError.is(error, ErrorCode.InvalidPayload)).toBe(true);
    expect(HeraldError.is(error, ErrorCode.NotFound)).toBe(false);
    expect(HeraldError.is(Object.assign(new Error('bad'), { code: 'INVALID_PAYLOAD' }))).toBe(
      false,
    );
  });
});
