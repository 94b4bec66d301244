import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * No CSP: the API answers JSON, which a CSP does not protect, and Swagger UI at /api/docs
 * needs inline scripts. The other helmet headers (nosniff, frame options, HSTS…) stay on.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'cross-origin' },
};

/**
 * The headers helmet sets on every answer, read once by running it against a recording
 * response: answers written without the middleware chain carry exactly the same ones.
 */
export function securityHeaders(): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = value as string;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(HELMET_OPTIONS)({} as IncomingMessage, recorder, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}
