/**
 * Counters per key in fixed windows, kept in this process: `points` actions per window of
 * `durationMs`, a key's window starting with its first action. This is what
 * rate-limiter-flexible's memory limiter counts, answered at once: the handshake limit is
 * asked once per connection, and a promise and the library's result objects for an answer
 * that is already known cost more than the counting. Windows rather than the per-socket
 * `TokenBucket`: limits kept in Redis count in the library's windows, and a rule must mean
 * the same on one process as on a cluster.
 */
export class FixedWindows {
  private readonly windows = new Map<string, { used: number; endsAt: number }>();
  /** Ended windows are dropped together, at most once per window length. */
  private nextSweepAt = 0;

  constructor(
    readonly points: number,
    readonly durationMs: number,
  ) {}

  /** Counts one action of `key`: 0 when it fits its window, else the ms until the window ends. */
  take(key: string, now: number): number {
    if (now >= this.nextSweepAt) this.sweep(now);
    let window = this.windows.get(key);
    if (window === undefined || window.endsAt <= now) {
      window = { used: 0, endsAt: now + this.durationMs };
      this.windows.set(key, window);
    }
    window.used += 1;
    return window.used <= this.points ? 0 : window.endsAt - now;
  }

  /** Keys with a window still running (for tests). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    this.nextSweepAt = now + this.durationMs;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
