import { randomFillSync } from 'node:crypto';

const RANDOM_POOL_BYTES = 4096;
/** The largest value of the 12-bit counter that follows the timestamp. */
const MAX_COUNTER = 0xfff;

/**
 * UUIDs (version 7, RFC 9562) that sort in the order this process made them: 48 bits of
 * Unix time in milliseconds, then a 12-bit counter for ids made in the same millisecond
 * (the RFC's "fixed bit-length dedicated counter"), then 62 random bits. PostgreSQL compares
 * uuids byte by byte, so among notifications stored by one statement — which share their
 * `created_at` — `id` keeps the order they were sent in.
 *
 * The timestamp never goes back: a clock set back, or more than 4,096 ids in a millisecond,
 * borrow the next millisecond instead.
 */
export class TimeOrderedIds {
  private lastMs = 0;
  private counter = 0;
  private readonly random = Buffer.alloc(RANDOM_POOL_BYTES);
  private randomOffset = RANDOM_POOL_BYTES;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    const now = this.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.counter = 0;
    } else if (this.counter < MAX_COUNTER) {
      this.counter += 1;
    } else {
      this.lastMs += 1;
      this.counter = 0;
    }
    const bytes = this.randomBytes(8);
    const ms = this.lastMs.toString(16).padStart(12, '0');
    const counter = (0x7000 | this.counter).toString(16);
    const variant = ((bytes[0] as number) & 0x3f) | 0x80;
    const tail = bytes.toString('hex', 1, 8);
    return `${ms.slice(0, 8)}-${ms.slice(8)}-${counter}-${variant.toString(16)}${tail.slice(0, 2)}-${tail.slice(2)}`;
  }

  /** `n` random bytes from a pool refilled 4 KB at a time (one call into OpenSSL per 512 ids). */
  private randomBytes(n: number): Buffer {
    if (this.randomOffset + n > RANDOM_POOL_BYTES) {
      randomFillSync(this.random);
      this.randomOffset = 0;
    }
    const slice = this.random.subarray(this.randomOffset, this.randomOffset + n);
    this.randomOffset += n;
    return slice;
  }
}
