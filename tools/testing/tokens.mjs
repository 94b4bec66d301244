import { SignJWT } from 'jose';

/** The HS256 secret and service key every harness-started API is configured with. */
export const TEST_JWT_SECRET = 'herald-test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_API_KEY = 'herald-test-service-api-key-0123456789';

/** Signs an HS256 user token with the test secret (or another one, to test refusals). */
export async function mintToken(sub, options = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    email: options.email ?? `${sub}@example.com`,
    role: options.role ?? 'user',
    ...options.extraClaims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** An unsigned `alg: none` token, which must always be refused. */
export function unsignedToken(claims) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
