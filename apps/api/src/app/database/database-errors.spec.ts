import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { isConnectionError, translateDatabaseError } from './database-errors';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('database error translation', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['an admin shutdown', withCode('57P01')],
    [
      'a connection exception wrapped by Drizzle',
      Object.assign(new Error('Failed query'), { cause: withCode('08006') }),
    ],
  ])('treats %s as an outage (503)', (_label, error) => {
    expect(isConnectionError(error)).toBe(true);
    const translated = translateDatabaseError(error);
    expect(translated).toBeInstanceOf(HeraldError);
    expect(translated).toMatchObject({ code: ErrorCode.Unavailable, status: 503 });
    expect((translated as HeraldError).cause).toBe(error);
  });

  it.each([
    ['a lock wait past lock_timeout', '55P03'],
    ['a deadlock', '40P01'],
  ])('turns %s into a retryable SERVICE_UNAVAILABLE (503, Retry-After 1)', (_label, code) => {
    const translated = translateDatabaseError(
      Object.assign(new Error('Failed query'), { cause: withCode(code) }),
    );
    expect(translated).toMatchObject({
      code: ErrorCode.Unavailable,
      status: 503,
      retryAfterSeconds: 1,
    });
  });

  it('turns data the database refuses into INVALID_PAYLOAD (400) naming the reason', () => {
    const error = Object.assign(new Error('Failed query'), {
      cause: withCode('22P05', 'unsupported Unicode escape sequence'),
    });
    const translated = translateDatabaseError(error);
    expect(translated).toBeInstanceOf(HeraldError);
    expect(translated).toMatchObject({
      code: ErrorCode.InvalidPayload,
      status: 400,
      details: ['the database refused the data: unsupported Unicode escape sequence'],
    });
  });

  it('passes a HeraldError through (a query translated twice stays the same)', () => {
    const error = new HeraldError(ErrorCode.Unavailable, 'The database is unavailable');
    expect(translateDatabaseError(error)).toBe(error);
  });

  it('lets every other error through unchanged (a bug, logged as 500)', () => {
    const error = withCode('42P01', 'relation does not exist');
    expect(isConnectionError(error)).toBe(false);
    expect(translateDatabaseError(error)).toBe(error);
  });
});
