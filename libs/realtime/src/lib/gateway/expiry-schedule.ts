/** Deadlines are kept to the second: an item is handed over at most this late. */
const RESOLUTION_MS = 1_000;

/**
 * The token deadlines of every socket of the process in one structure, checked by one timer,
 * rather than one timer per socket (a Timeout, its closure and a timer-list entry that every
 * idle socket would keep for its whole life). Deadlines are grouped by the second they fall
 * in; while anything is scheduled, a single unref'd interval hands over each second's items
 * once that second is over, so an item is never early and at most a second late.
 *
 * An item is scheduled once at a time: `schedule` an item again only after `cancel`ing it
 * (with the deadline it was scheduled for, which is how its bucket is found without a
 * per-item index).
 */
export class ExpirySchedule<T> {
  private readonly buckets = new Map<number, Set<T>>();
  private timer?: NodeJS.Timeout;
  /** Every bucket up to this second has been handed over. */
  private sweptUpTo = 0;
  private count = 0;

  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Items scheduled right now. */
  get size(): number {
    return this.count;
  }

  /** Hands `item` to `onDue` once `deadline` (epoch ms) has passed. */
  schedule(item: T, deadline: number): void {
    if (this.count === 0) this.start();
    const second = this.secondOf(deadline);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(second, bucket);
    }
    if (bucket.has(item)) return;
    bucket.add(item);
    this.count += 1;
  }

  /** Forgets `item`, scheduled for `deadline`; nothing happens when it is not scheduled. */
  cancel(item: T, deadline: number): void {
    const second = this.secondOf(deadline);
    const bucket = this.buckets.get(second);
    if (!bucket?.delete(item)) return;
    if (bucket.size === 0) this.buckets.delete(second);
    this.count -= 1;
    if (this.count === 0) this.stop();
  }

  /** Hands over every bucket whose second is over (the interval's work; public for tests). */
  sweep(): void {
    const current = Math.floor(this.now() / RESOLUTION_MS);
    while (this.sweptUpTo < current) {
      this.sweptUpTo += 1;
      const bucket = this.buckets.get(this.sweptUpTo);
      if (!bucket) continue;
      this.buckets.delete(this.sweptUpTo);
      this.count -= bucket.size;
      for (const item of bucket) this.onDue(item);
    }
    if (this.count === 0) this.stop();
  }

  /** Stops the timer and forgets everything (shutdown). */
  clear(): void {
    this.buckets.clear();
    this.count = 0;
    this.stop();
  }

  /** The second a deadline falls in: its items are due once that second is over. */
  private secondOf(deadline: number): number {
    return Math.ceil(deadline / RESOLUTION_MS);
  }

  private start(): void {
    if (this.timer) return;
    this.sweptUpTo = Math.floor(this.now() / RESOLUTION_MS);
    this.timer = setInterval(() => this.sweep(), RESOLUTION_MS);
    // Sockets keep the process alive, not their deadlines.
    this.timer.unref();
  }

  private stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
