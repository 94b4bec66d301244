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

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The key a per-client limit counts under: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4 form), an IPv6 address by its /64 prefix. A single IPv6 subscriber is
 * usually handed a whole /64, so keying on the full address would let one client walk
 * around every limit by changing the low 64 bits. Anything that is not an IP address
 * (`unknown`, a Unix socket) is returned unchanged.
 *
 *   rateLimitKeyFor('203.0.113.7')          // '203.0.113.7'
 *   rateLimitKeyFor('::ffff:203.0.113.7')   // '203.0.113.7'
 *   rateLimitKeyFor('2001:db8:1:2:3:4:5:6') // '2001:db8:1:2::/64'
 */
export function rateLimitKeyFor(address: string): string {
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped && isIP(mapped[1]) === 4) return mapped[1];
  // A zone index (fe80::1%eth0) names an interface, not part of the address.
  const bare = address.split('%')[0];
  if (isIP(bare) !== 6) return address;
  return `${expandIpv6(bare).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address, without leading zeros (`::` expanded). */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  // A trailing dotted IPv4 part (::ffff:1.2.3.4 style, or 64:ff9b::1.2.3.4) is two hextets.
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, -dotted[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => parseInt(h, 16).toString(16));
}
