import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Distinct presented values whose verdict is remembered (cleared when full: bounded memory). */
const VERDICT_CACHE_SIZE = 16;
/** Longer values are never remembered, so the cache stays small whatever clients send. */
const VERDICT_CACHE_MAX_LENGTH = 256;

/**
 * Decides whether a presented `x-api-key` is the service key. The one place that compares
 * keys: the guard on service endpoints and the HTTP rate limit's exemption both use it.
 *
 * Comparison is constant-time over SHA-256 digests (equal lengths whatever was sent). A
 * service sends the same key on every request, so verdicts of a few recent values are
 * remembered rather than hashing the key per request; a Map
 * lookup compares strings only on a hash collision, so it reveals nothing about the key.
 */
export class ApiKeyMatcher {
  private readonly expected?: Buffer;
  private readonly verdicts = new Map<string, boolean>();

  constructor(apiKey: string | undefined) {
    this.expected = apiKey ? digest(apiKey) : undefined;
  }

  /** False when no key is configured: the service API is then disabled. */
  get enabled(): boolean {
    return this.expected !== undefined;
  }

  matches(header: string | string[] | undefined): boolean {
    const given = Array.isArray(header) ? header[0] : header;
    if (!given || !this.expected) return false;
    const known = this.verdicts.get(given);
    if (known !== undefined) return known;
    const verdict = timingSafeEqual(digest(given), this.expected);
    if (given.length <= VERDICT_CACHE_MAX_LENGTH) {
      if (this.verdicts.size >= VERDICT_CACHE_SIZE) this.verdicts.clear();
      this.verdicts.set(given, verdict);
    }
    return verdict;
  }
}
