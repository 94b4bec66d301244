import type { DemoWebhookDelivery } from '@herald/ws-contracts';

/** How many deliveries the inbox remembers; older ones fall off. */
export const WEBHOOK_INBOX_CAPACITY = 50;

/**
 * The last verified webhook deliveries, in memory: a development view of what left Herald,
 * never a store. A delivery whose `webhook-id` is already here is a retry of one already
 * received and is not listed twice, the way a real receiver drops duplicates.
 */
export class WebhookInbox {
  /** Oldest first, so a new entry is a push and the overflow a shift. */
  private readonly entries: DemoWebhookDelivery[] = [];

  constructor(private readonly capacity = WEBHOOK_INBOX_CAPACITY) {}

  /** Keeps `entry` unless its id is already listed; answers whether it was new. */
  record(entry: DemoWebhookDelivery): boolean {
    if (this.entries.some((known) => known.id === entry.id)) return false;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    return true;
  }

  /** Newest first. */
  list(): DemoWebhookDelivery[] {
    return [...this.entries].reverse();
  }
}
