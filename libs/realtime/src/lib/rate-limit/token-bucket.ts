/**
 * Token bucket: a burst of `capacity` actions, refilled continuously at `refillPerSecond`.
 * Time is passed in (milliseconds) so tests need no fake timers.
 *
 * It meters one socket's own client events, checked on every event: kept by hand because it
 * is synchronous, O(1) and dies with the socket, where a rate-limiter-flexible limiter would
 * cost a promise, a key map and an expiry timer per event (and a socket lives on one process,
 * so there is nothing to share across the cluster).
 */
export interface TokenBucketOptions {
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly options: TokenBucketOptions,
    now: number = Date.now(),
  ) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new Error('TokenBucket needs capacity >= 1 and refillPerSecond > 0');
    }
    this.tokens = options.capacity;
    this.updatedAt = now;
  }

  /** Takes one token; false when the bucket is empty (the action is refused). */
  take(now: number = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket is full again, i.e. forgetting it changes nothing. */
  isFull(now: number = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.options.capacity;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(
      this.options.capacity,
      this.tokens + elapsed * this.options.refillPerSecond,
    );
    this.updatedAt = now;
  }
}
