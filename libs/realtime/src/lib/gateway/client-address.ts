import { isIP } from 'node:net';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The address a handshake rate limit should count: the peer address, or, when the peer is
 * a proxy on this machine (loopback, like Express's `trust proxy loopback`), the nearest
 * address in `X-Forwarded-For` that is not itself loopback. A client cannot spoof it from
 * outside, because a non-loopback peer's header is never read.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
): string {
  const remote = peer ?? 'unknown';
  if (!LOOPBACK.test(remote) || !forwardedFor) return remote;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = header
    .split(',')
    .map((h) => h.trim())
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!LOOPBACK.test(hops[i])) return hops[i];
  }
  return remote;
}
