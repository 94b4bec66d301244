/**
 * Reads `exp` from a JWT without verifying it. The client only needs to know when to
 * refresh; the server is the one that verifies. Returns epoch milliseconds, or null when
 * the token is not a JWT or has no numeric `exp`.
 */
export function readTokenExpiry(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = decodeBase64Url(parts[1]);
    const claims: unknown = JSON.parse(json);
    if (claims && typeof claims === 'object' && 'exp' in claims) {
      const exp = (claims as { exp: unknown }).exp;
      if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
    }
    return null;
  } catch {
    return null;
  }
}

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  // atob exists in browsers and in Node >= 16; the payload is UTF-8.
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * When to refresh a token that expires at `expiresAt`: a minute before, or at 80% of its
 * remaining life for short tokens, never sooner than one second from now.
 */
export function refreshDelay(expiresAt: number, now: number, leadMs: number): number {
  const remaining = expiresAt - now;
  const lead = Math.min(leadMs, remaining * 0.2);
  return Math.max(1_000, remaining - lead);
}
