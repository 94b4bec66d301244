/** Ids one `notification:received` carries at most (the server refuses more). */
export const MAX_RECEIPT_IDS = 100;
/** Ids remembered as confirmed, so a resync does not confirm them again; oldest forgotten first. */
const REMEMBERED_IDS = 5_000;

export interface ReceiptOptions {
  /**
   * Least time between two `notification:received` messages (default 250 ms: at most four
   * a second, however many notifications arrive). Ids that arrive meanwhile wait and go
   * together.
   */
  intervalMs?: number;
}

/**
 * Confirms to the server which notifications reached this device, in batches: ids are
 * queued as they arrive (live or by resync) and sent at most once per `intervalMs`, up to
 * MAX_RECEIPT_IDS per message. An id is sent once; ids that could not be sent (offline, no
 * acknowledgement) stay queued for the next flush, which `flush()` on (re)connect starts.
 */
export class ReceiptBatcher {
  private readonly queued = new Set<string>();
  private readonly confirmed = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSentAt = -Infinity;
  private sending = false;
  private disposed = false;
  private readonly intervalMs: number;

  /**
   * @param send emits one receipt; resolves true when the server acknowledged it.
   * @param now the clock (tests pass a fake one).
   */
  constructor(
    private readonly send: (ids: string[]) => Promise<boolean>,
    options: ReceiptOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.intervalMs = options.intervalMs ?? 250;
  }

  /** Queues ids to confirm; ids confirmed or queued before are ignored. */
  add(ids: Iterable<string>): void {
    if (this.disposed) return;
    for (const id of ids) if (!this.confirmed.has(id)) this.queued.add(id);
    this.schedule();
  }

  /** Sends what is queued as soon as the interval allows (e.g. after a reconnect). */
  flush(): void {
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queued.clear();
  }

  private schedule(): void {
    if (this.disposed || this.timer || this.sending || this.queued.size === 0) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sendBatch();
    }, wait);
  }

  private async sendBatch(): Promise<void> {
    const ids = [...this.queued].slice(0, MAX_RECEIPT_IDS);
    if (ids.length === 0) return;
    this.sending = true;
    this.lastSentAt = this.now();
    let acknowledged = false;
    try {
      acknowledged = await this.send(ids);
    } catch {
      acknowledged = false;
    } finally {
      this.sending = false;
    }
    if (this.disposed) return;
    if (acknowledged) {
      for (const id of ids) {
        this.queued.delete(id);
        this.remember(id);
      }
      this.schedule();
    }
    // Not acknowledged (offline, timed out): the ids stay queued until `flush()` on connect.
  }

  private remember(id: string): void {
    this.confirmed.add(id);
    if (this.confirmed.size > REMEMBERED_IDS) {
      const oldest = this.confirmed.values().next().value as string;
      this.confirmed.delete(oldest);
    }
  }
}
