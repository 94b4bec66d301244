import { expect } from 'vitest';
import { HTTP_STATUS_BY_ERROR_CODE, isErrorCode } from '@herald/ws-contracts';

/** Health reports (503 while a critical check is down) and Socket.IO's transport answers. */
const NOT_API_ERRORS = /^\/(api\/health|socket\.io)(\/|\?|$)/;

/**
 * Checks the invariant every HTTP error answer of the API keeps: a JSON
 * `{ statusCode, message, error, code }` whose code is one of the contract's and whose
 * status is the one HTTP_STATUS_BY_ERROR_CODE gives it. The e2e HTTP helpers run it on every
 * error they receive, so every test that provokes one checks it too.
 */
export function expectApiErrorBody(path: string, status: number, body: unknown): void {
  if (status < 400 || NOT_API_ERRORS.test(path)) return;
  const where = `${status} ${path}: ${JSON.stringify(body)}`;
  expect(body, where).toMatchObject({
    statusCode: status,
    message: expect.anything(),
    error: expect.any(String),
  });
  const code = (body as { code?: unknown }).code;
  expect(isErrorCode(code), where).toBe(true);
  if (isErrorCode(code)) expect(HTTP_STATUS_BY_ERROR_CODE[code], where).toBe(status);
}
