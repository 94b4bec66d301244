/**
 * Group commit for small, independent database requests. Every statement costs a round
 * trip: to PostgreSQL, or to PGlite's thread where ~0.5 ms of work runs per statement,
 * while one statement over many rows costs little more than over one. So requests that arrive while
 * the database is busy, or in the same turn of the event loop, wait together and run as
 * one batch: at most one batch is in flight, and the next one holds everything that
 * queued up meanwhile. An idle service adds no delay beyond `setImmediate`.
 *
 * With `minIntervalMs`, batches also start at most that often: under a steady trickle the
 * database finishes each statement before the next request arrives, so without it every
 * request would be a batch of its own and pay the whole statement. The first request after
 * a quiet spell still goes at once, and a batch that reaches `maxWeight` does not wait.
 *
 * `run` receives the items of a batch and answers one outcome per item, in order: a
 * result, or a BatchItemFailure that fails that request alone. When `run` throws, every
 * request of that batch fails with the same error.
 */
export class MicroBatcher<Item, Result> {
  private queue: Pending<Item, Result>[] = [];
  /** The weight of `queue`, kept as requests come and go. */
  private queuedWeight = 0;
  private flushScheduled = false;
  /** The timer of a flush that waits out `minIntervalMs`, so a full batch can cut it short. */
  private pacingTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly run: (
      items: readonly Item[],
    ) => Promise<readonly (Result | BatchItemFailure)[]>,
    private readonly options: {
      /** Weight of one item (e.g. its row count); a batch stops growing at `maxWeight`. */
      weigh?: (item: Item) => number;
      maxWeight?: number;
      /** The least time from the start of one batch to the start of the next. */
      minIntervalMs?: number;
    } = {},
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const weight = this.options.weigh ? this.options.weigh(item) : 1;
      this.queue.push({ item, weight, resolve, reject });
      this.queuedWeight += weight;
      if (this.pacingTimer !== undefined && this.isFull()) this.flushSoon();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight || this.queue.length === 0) return;
    this.flushScheduled = true;
    const wait = this.lastStartedAt + (this.options.minIntervalMs ?? 0) - performance.now();
    if (wait > 0 && !this.isFull()) {
      this.pacingTimer = setTimeout(() => this.flushNow(), wait);
      return;
    }
    // setImmediate, not a microtask: requests parsed in the same I/O phase join the batch.
    setImmediate(() => this.flushNow());
  }

  /** Ends a pacing wait early: the batch is full, so waiting adds nothing to it. */
  private flushSoon(): void {
    clearTimeout(this.pacingTimer);
    this.pacingTimer = undefined;
    setImmediate(() => this.flushNow());
  }

  private flushNow(): void {
    if (!this.flushScheduled) return;
    this.flushScheduled = false;
    clearTimeout(this.pacingTimer);
    this.pacingTimer = undefined;
    void this.flush();
  }

  private isFull(): boolean {
    const { maxWeight } = this.options;
    return maxWeight !== undefined && this.queuedWeight >= maxWeight;
  }

  private async flush(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.inFlight = true;
    this.lastStartedAt = performance.now();
    try {
      const results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length)
        throw new Error(`Batch answered ${results.length} results for ${batch.length} requests`);
      batch.forEach((p, i) => {
        const outcome = results[i] as Result | BatchItemFailure;
        if (outcome instanceof BatchItemFailure) p.reject(outcome.error);
        else p.resolve(outcome);
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight = false;
      this.scheduleFlush();
    }
  }

  /** The oldest requests up to `maxWeight` (always at least one, however heavy). */
  private takeBatch(): Pending<Item, Result>[] {
    const { maxWeight } = this.options;
    if (maxWeight === undefined) {
      this.queuedWeight = 0;
      return this.queue.splice(0);
    }
    let weight = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = (this.queue[count] as Pending<Item, Result>).weight;
      if (count > 0 && weight + next > maxWeight) break;
      weight += next;
      count++;
    }
    this.queuedWeight -= weight;
    return this.queue.splice(0, count);
  }
}

/** The outcome of one request that failed while the rest of its batch succeeded. */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
}

interface Pending<Item, Result> {
  item: Item;
  /** The item's weight (one without `weigh`), weighed once when it is submitted. */
  weight: number;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}
