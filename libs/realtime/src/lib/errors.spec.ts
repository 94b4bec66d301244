import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCode } from '@herald/ws-contracts';
import { RealtimeError, toErrorDetail } from './errors';

describe('toErrorDetail: one mapping from any exception to what a client may see', () => {
  it('passes a RealtimeError through as it is', () => {
    expect(toErrorDetail(new RealtimeError(ErrorCode.Forbidden, 'not yours'))).toEqual({
      code: ErrorCode.Forbidden,
      message: 'not yours',
    });
  });

  it.each([
    [new BadRequestException('bad'), ErrorCode.InvalidPayload],
    [new UnauthorizedException(), ErrorCode.TokenInvalid],
    [new ForbiddenException(), ErrorCode.Forbidden],
    [new NotFoundException('Notification not found'), ErrorCode.NotFound],
    [new HttpException('slow down', 429), ErrorCode.RateLimited],
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
});
