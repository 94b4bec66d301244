// Delivery receipts as the official client sends them (libs/realtime-client, ReceiptBatcher),
// for the benchmark's raw socket.io-client sockets: ids queue as `notification:new` arrives
// and leave in one `notification:received` at most every `intervalMs`, up to `maxIds` each.
// Kept in step with the library by hand: the bench drives the server through its public
// contract only and does not import the client library.

/** The client library's defaults: at most four receipt messages a second, 100 ids each. */
export const RECEIPT_DEFAULTS = Object.freeze({
  intervalMs: 250,
  maxIds: 100,
  ackTimeoutMs: 10_000,
});

/** One socket's receipt queue. `send(ids)` resolves true when the server acknowledged them. */
export class ReceiptBatcher {
  /**
   * @param {(ids: string[]) => Promise<boolean>} send
   * @param {{ intervalMs?: number, maxIds?: number }} [options]
   * @param {{ messages: number, ids: number, unacknowledged: number }} [stats] counters to add to
   *   (shared by every socket of a worker)
   */
  constructor(send, options = {}, stats = { messages: 0, ids: 0, unacknowledged: 0 }) {
    this.send = send;
    this.intervalMs = options.intervalMs ?? RECEIPT_DEFAULTS.intervalMs;
    this.maxIds = options.maxIds ?? RECEIPT_DEFAULTS.maxIds;
    this.stats = stats;
    this.queued = new Set();
    this.timer = null;
    this.sending = null;
    this.lastSentAt = -Infinity;
    this.disposed = false;
  }

  /** Queues one received notification id. */
  add(id) {
    if (this.disposed) return;
    this.queued.add(id);
    this.schedule();
  }

  /** Resolves once no message is waiting for its acknowledgement. */
  async settled() {
    while (this.sending) await this.sending;
  }

  /** Stops sending; ids still queued are dropped. */
  dispose() {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queued.clear();
  }

  schedule() {
    if (this.disposed || this.timer || this.sending || this.queued.size === 0) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sending = this.sendBatch().then((acknowledged) => {
        this.sending = null;
        // As the library does: on success the rest goes at the next interval; ids that were
        // not acknowledged wait for the next arrival (the library also retries on reconnect).
        if (acknowledged) this.schedule();
      });
    }, wait);
  }

  /** Sends the oldest queued ids; resolves whether the server acknowledged them. */
  async sendBatch() {
    const ids = [...this.queued].slice(0, this.maxIds);
    this.lastSentAt = Date.now();
    this.stats.messages += 1;
    let acknowledged = false;
    try {
      acknowledged = await this.send(ids);
    } catch {
      acknowledged = false;
    }
    if (!acknowledged) {
      this.stats.unacknowledged += 1;
      return false;
    }
    this.stats.ids += ids.length;
    for (const id of ids) this.queued.delete(id);
    return true;
  }
}
