/**
 * Group commit for small, independent database requests. Every statement costs a round
 * trip: to PostgreSQL, or to PGlite's thread where ~0.5 ms of work runs per statement,
 * while one statement over many rows costs little more than over one. So requests that arrive while
 * the database is busy, or in the same turn of the event loop, wait together and run as
 * one batch: at most one batch is in flight, and the next one holds everything that
 * queued up meanwhile. An idle service adds no delay beyond `setImmediate`.
 *
 * `run` receives the items of a batch and answers one outcome per item, in order: a
 * result, or a BatchItemFailure that fails that request alone. When `run` throws, every
 * request of that batch fails with the same error.
 */
export class MicroBatcher<Item, Result> {
  private queue: Pending<Item, Result>[] = [];
  private flushScheduled = false;
  private inFlight = false;

  constructor(
    private readonly run: (
      items: readonly Item[],
    ) => Promise<readonly (Result | BatchItemFailure)[]>,
    private readonly options: {
      /** Weight of one item (e.g. its row count); a batch stops growing at `maxWeight`. */
      weigh?: (item: Item) => number;
      maxWeight?: number;
    } = {},
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight || this.queue.length === 0) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: requests parsed in the same I/O phase join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.inFlight = true;
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
    const { weigh, maxWeight } = this.options;
    if (!weigh || maxWeight === undefined) return this.queue.splice(0);
    let weight = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = weigh((this.queue[count] as Pending<Item, Result>).item);
      if (count > 0 && weight + next > maxWeight) break;
      weight += next;
      count++;
    }
    return this.queue.splice(0, count);
  }
}

/** The outcome of one request that failed while the rest of its batch succeeded. */
export class BatchItemFailure {
  constructor(readonly error: unknown) {}
}

interface Pending<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}
