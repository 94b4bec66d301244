/**
 * Lets the work of connections that arrive together through together. A connect storm
 * spreads its handshakes over many turns of the event loop, so connect hooks that each
 * submit to a MicroBatcher find the database idle every time and run one statement per
 * socket; behind this gate they run one statement per burst instead.
 *
 * The first caller after a quiet spell passes at once (on the next turn of the event loop,
 * with whoever arrived in the same turn). Later callers wait until `windowMs` after the
 * gate last opened, or until `maxWaiting` are waiting, and then all pass in the same turn:
 * what they submit then lands in one batch. One timer for the whole gate, however many wait.
 */
export class BurstGate {
  private waiting: (() => void)[] = [];
  private scheduled = false;
  private lastOpenedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly maxWaiting = Number.POSITIVE_INFINITY,
  ) {}

  /** Resolves when the caller's burst may go on. */
  pass(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.maxWaiting) this.open();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.open();
    };
    const wait = this.lastOpenedAt + this.windowMs - performance.now();
    if (wait <= 0) setImmediate(run);
    else setTimeout(run, wait);
  }

  private open(): void {
    if (this.waiting.length === 0) return;
    this.lastOpenedAt = performance.now();
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
