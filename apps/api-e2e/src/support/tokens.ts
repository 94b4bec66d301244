import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from './api-process';

export interface TokenOptions {
  email?: string;
  role?: string;
  /** Seconds from now; negative for an already expired token. */
  expiresIn?: number;
  notBefore?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
  extraClaims?: Record<string, unknown>;
}

/** Mints an HS256 user token signed with the test secret (or another, to test refusals). */
export async function mintToken(sub: string, options: TokenOptions = {}): Promise<string> {
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
export function unsignedToken(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
