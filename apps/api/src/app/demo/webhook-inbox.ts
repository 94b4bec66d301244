/** One verified escalation webhook, as the demo's local inbox keeps it. */
export interface WebhookInboxEntry {
  /** `webhook-id`: the escalation's id, the same on every retry of it. */
  id: string;
  /** The body's `timestamp`: when Herald sent this attempt (ISO). */
  timestamp: string;
  /** When this receiver verified it (ISO). */
  receivedAt: string;
  type: string;
  notificationId: string;
  title: string;
  userId: string;
}

/** How many deliveries the inbox remembers; older ones fall off. */
export const WEBHOOK_INBOX_CAPACITY = 50;

/**
 * The last verified webhook deliveries, in memory: a development view of what left Herald,
 * never a store. A delivery whose `webhook-id` is already here is a retry of one already
 * received and is not listed twice, the way a real receiver drops duplicates.
 */
export class WebhookInbox {
  /** Oldest first, so a new entry is a push and the overflow a shift. */
  private readonly entries: WebhookInboxEntry[] = [];

  constructor(private readonly capacity = WEBHOOK_INBOX_CAPACITY) {}

  /** Keeps `entry` unless its id is already listed; answers whether it was new. */
  record(entry: WebhookInboxEntry): boolean {
    if (this.entries.some((known) => known.id === entry.id)) return false;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    return true;
  }

  /** Newest first. */
  list(): WebhookInboxEntry[] {
    return [...this.entries].reverse();
  }
}
