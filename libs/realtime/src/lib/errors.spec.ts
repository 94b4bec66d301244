import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode, HeraldError, HTTP_STATUS_BY_ERROR_CODE } from '@herald/ws-contracts';
import { errorCodeForHttpStatus, toErrorDetail, toHeraldError } from './errors';

describe('toErrorDetail: one mapping from any exception to what a client may see', () => {
  it('passes a HeraldError through as it is', () => {
    const error = new HeraldError(ErrorCode.Forbidden, 'not yours');
    expect(toHeraldError(error)).toBe(error);
    expect(toErrorDetail(error)).toEqual({ code: ErrorCode.Forbidden, message: 'not yours' });
  });

  it.each([
    [new BadRequestException('bad'), ErrorCode.InvalidPayload],
    [new UnauthorizedException(), ErrorCode.TokenInvalid],
    [new ForbiddenException(), ErrorCode.Forbidden],
    [new NotFoundException('Notification not found'), ErrorCode.NotFound],
    [new HttpException('slow down', 429), ErrorCode.RateLimited],
    [new HttpException('too big', 413), ErrorCode.PayloadTooLarge],
    [new HttpException('not JSON', 415), ErrorCode.UnsupportedMediaType],
    [new ServiceUnavailableException('database down'), ErrorCode.Unavailable],
    [new HttpException('teapot', 418), ErrorCode.Internal],
  ])('maps %s to its code', (exception, code) => {
    expect(toErrorDetail(exception).code).toBe(code);
  });

  it('keeps the code an HttpException carries and joins validation messages', () => {
    const exception = new BadRequestException({
      message: ['a: required', 'b: too long'],
      code: ErrorCode.InvalidPayload,
    });
    expect(toErrorDetail(exception)).toEqual({
      code: ErrorCode.InvalidPayload,
      message: 'a: required; b: too long',
    });
  });

  it.each([
    new Error('SELECT * FROM secrets failed at 10.0.0.3'),
    new TypeError('x is undefined'),
    'a string',
    undefined,
    null,
    { code: 'FORBIDDEN' },
  ])('hides the details of an unexpected error (%#) behind INTERNAL_ERROR', (error) => {
    expect(toErrorDetail(error)).toEqual({ code: ErrorCode.Internal, message: 'Internal error' });
  });

  it('maps the WsException Nest raises when a guard refuses a message to FORBIDDEN', () => {
    expect(toErrorDetail(new WsException('Forbidden resource'))).toEqual({
      code: ErrorCode.Forbidden,
      message: 'Forbidden resource',
    });
    expect(toErrorDetail(new WsException({ code: ErrorCode.NotFound, message: 'gone' }))).toEqual({
      code: ErrorCode.NotFound,
      message: 'gone',
    });
    expect(toErrorDetail(new WsException('bad input')).code).toBe(ErrorCode.InvalidPayload);
  });

  it('never answers the bare "Internal server error" of Nest', () => {
    expect(toErrorDetail(new Error('boom')).message).not.toBe('Internal server error');
  });

  it('keeps the validation messages of an HttpException as details, for HTTP bodies', () => {
    const exception = new BadRequestException({ message: ['a: required'] });
    const error = toHeraldError(exception);
    expect(error).toMatchObject({ code: ErrorCode.InvalidPayload, details: ['a: required'] });
    expect(error.status).toBe(400);
    expect(error.cause).toBe(exception);
  });

  it('keeps the original error as the cause of INTERNAL_ERROR, for the log', () => {
    const bug = new TypeError('x is undefined');
    const error = toHeraldError(bug);
    expect(error).toMatchObject({ code: ErrorCode.Internal, message: 'Internal error' });
    expect(error.cause).toBe(bug);
  });
});

describe('errorCodeForHttpStatus', () => {
  it('is consistent with the code → status table', () => {
    for (const status of [400, 401, 403, 404, 413, 415, 429, 500, 503]) {
      const code = errorCodeForHttpStatus(status);
      expect(code).toBeDefined();
      expect(HTTP_STATUS_BY_ERROR_CODE[code as ErrorCode]).toBe(status);
    }
  });

  it('has no code for statuses without one meaning', () => {
    expect(errorCodeForHttpStatus(418)).toBeUndefined();
    expect(errorCodeForHttpStatus(422)).toBeUndefined();
  });
});
