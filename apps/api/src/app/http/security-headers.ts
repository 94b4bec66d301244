import type { HelmetOptions } from 'helmet';

/**
 * No CSP: the API answers JSON, which a CSP does not protect, and Swagger UI at /api/docs
 * needs inline scripts. The other helmet headers (nosniff, frame options, HSTS…) stay on.
 */
export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'cross-origin' },
};
