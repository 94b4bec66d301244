import { BadRequestException } from '@nestjs/common';
import { DependencyUnavailableError } from '../http/http-exception.filter';
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
    expect(translateDatabaseError(error)).toBeInstanceOf(DependencyUnavailableError);
  });

  it('turns data the database refuses into a 400', () => {
    const error = Object.assign(new Error('Failed query'), {
      cause: withCode('22P05', 'unsupported Unicode escape sequence'),
    });
    expect(translateDatabaseError(error)).toBeInstanceOf(BadRequestException);
  });

  it('lets every other error through unchanged (a bug, logged as 500)', () => {
    const error = withCode('42P01', 'relation does not exist');
    expect(isConnectionError(error)).toBe(false);
    expect(translateDatabaseError(error)).toBe(error);
  });
});
