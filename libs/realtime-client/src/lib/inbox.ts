import type {
  Notification,
  NotificationDeletedPayload,
  NotificationNewPayload,
  NotificationReadPayload,
  UnreadCountPayload,
} from '@herald/ws-contracts';
import { Listeners } from './listeners';
import type { InboxHttp } from './http';

export type InboxStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface InboxSnapshot {
  /** Newest first, each id at most once. */
  items: readonly Notification[];
  unreadCount: number;
  status: InboxStatus;
  error: string | null;
  /** More pages exist on the server (`loadMore()`). */
  hasMore: boolean;
  /** Epoch ms of the last completed HTTP resync. */
  syncedAt: number | null;
}

export interface InboxMutationResult {
  ok: boolean;
  error?: { code: string; message: string };
}

/** What the inbox needs from the client: socket mutations with acks, or `null` when offline. */
export interface InboxTransport {
  markRead(id: string): Promise<InboxMutationResult & { unreadCount?: number }>;
  markAllRead(): Promise<InboxMutationResult & { unreadCount?: number }>;
  remove(id: string): Promise<InboxMutationResult & { unreadCount?: number }>;
  /** Notifications that arrived over HTTP (resync, loadMore), for receipts. */
  loaded?(items: readonly Notification[]): void;
}

type InboxEvent =
  | { kind: 'new'; payload: NotificationNewPayload }
  | { kind: 'read'; payload: NotificationReadPayload }
  | { kind: 'deleted'; payload: NotificationDeletedPayload }
  | { kind: 'count'; payload: UnreadCountPayload };

const EMPTY: InboxSnapshot = {
  items: [],
  unreadCount: 0,
  status: 'idle',
  error: null,
  hasMore: false,
  syncedAt: null,
};

/**
 * The user's inbox, kept in sync from two sources: an HTTP resync on every (re)connect
 * (so whatever happened while offline shows up) and the socket events in between.
 * Every event is idempotent (a notification id is stored once, read and delete are
 * set-like), so an event that races a resync is simply replayed on top of its result.
 */
export class InboxStore {
  private snapshot: InboxSnapshot = EMPTY;
  private readonly listeners = new Listeners<InboxSnapshot>();
  private nextCursor: string | null = null;
  private syncGeneration = 0;
  /** Events that arrived while a resync was in flight; replayed on its result. */
  private pending: InboxEvent[] | null = null;

  constructor(
    private readonly http: InboxHttp,
    private readonly transport: InboxTransport,
    private readonly pageSize: number,
  ) {}

  getSnapshot = (): InboxSnapshot => this.snapshot;

  subscribe = (listener: (snapshot: InboxSnapshot) => void): (() => void) =>
    this.listeners.add(listener);

  /** Reloads the first page and the unread count. Called by the client on every connect. */
  async resync(): Promise<void> {
    const generation = ++this.syncGeneration;
    this.pending = [];
    this.update({ status: this.snapshot.status === 'ready' ? 'ready' : 'loading', error: null });
    try {
      const [page, count] = await Promise.all([
        this.http.list({ limit: this.pageSize }),
        this.http.unreadCount(),
      ]);
      if (generation !== this.syncGeneration) return; // a newer resync superseded this one
      this.transport.loaded?.(page.items);
      const replay = this.pending ?? [];
      this.pending = null;
      this.nextCursor = page.nextCursor;
      this.snapshot = {
        ...this.snapshot,
        items: dedupeSorted(page.items),
        unreadCount: count.unreadCount,
        status: 'ready',
        error: null,
        hasMore: page.nextCursor !== null,
        syncedAt: Date.now(),
      };
      // Replayed in the server's order, a `new` overwrites what the page said: a read-all
      // that raced the request must not leave a later notification marked read.
      for (const event of replay) this.apply(event, true);
      this.listeners.emit(this.snapshot);
    } catch (error) {
      if (generation !== this.syncGeneration) return;
      this.pending = null;
      this.update({ status: 'error', error: messageOf(error) });
    }
  }

  /** Loads the next page, if any. */
  async loadMore(): Promise<void> {
    if (!this.nextCursor) return;
    const page = await this.http.list({ limit: this.pageSize, cursor: this.nextCursor });
    this.transport.loaded?.(page.items);
    this.nextCursor = page.nextCursor;
    this.update({
      items: dedupeSorted([...this.snapshot.items, ...page.items]),
      hasMore: page.nextCursor !== null,
    });
  }

  // ---- socket events ------------------------------------------------------------------

  onNew(payload: NotificationNewPayload): void {
    this.receive({ kind: 'new', payload });
  }
  onRead(payload: NotificationReadPayload): void {
    this.receive({ kind: 'read', payload });
  }
  onDeleted(payload: NotificationDeletedPayload): void {
    this.receive({ kind: 'deleted', payload });
  }
  onUnreadCount(payload: UnreadCountPayload): void {
    this.receive({ kind: 'count', payload });
  }

  // ---- mutations (socket with ack; the resulting events update every device) -----------

  async markRead(id: string): Promise<InboxMutationResult> {
    const result = await this.transport.markRead(id);
    if (result.ok) {
      this.receive({ kind: 'read', payload: { notificationId: id, success: true } });
      if (result.unreadCount !== undefined) this.setCount(result.unreadCount);
    }
    return result;
  }

  async markAllRead(): Promise<InboxMutationResult> {
    const result = await this.transport.markAllRead();
    if (result.ok) {
      this.receive({ kind: 'read', payload: { notificationId: null, success: true, all: true } });
      if (result.unreadCount !== undefined) this.setCount(result.unreadCount);
    }
    return result;
  }

  async remove(id: string): Promise<InboxMutationResult> {
    const result = await this.transport.remove(id);
    if (result.ok) {
      this.receive({ kind: 'deleted', payload: { notificationId: id } });
      if (result.unreadCount !== undefined) this.setCount(result.unreadCount);
    }
    return result;
  }

  /** Forgets everything (e.g. on sign-out). */
  reset(): void {
    this.syncGeneration++;
    this.pending = null;
    this.nextCursor = null;
    this.snapshot = EMPTY;
    this.listeners.emit(this.snapshot);
  }

  dispose(): void {
    this.syncGeneration++;
    this.listeners.clear();
  }

  // ---- internals ------------------------------------------------------------------------

  private setCount(unreadCount: number): void {
    this.receive({ kind: 'count', payload: { unreadCount } });
  }

  private receive(event: InboxEvent): void {
    this.pending?.push(event);
    this.apply(event);
    this.listeners.emit(this.snapshot);
  }

  private apply(event: InboxEvent, replaying = false): void {
    const items = this.snapshot.items;
    switch (event.kind) {
      case 'new': {
        const incoming = event.payload.notification;
        const known = items.some((n) => n.id === incoming.id);
        if (known && !replaying) return; // a duplicate push: the first copy stays
        const rest = known ? items.filter((n) => n.id !== incoming.id) : items;
        this.snapshot = { ...this.snapshot, items: dedupeSorted([incoming, ...rest]) };
        return;
      }
      case 'read': {
        const { notificationId, success, all } = event.payload;
        if (!success) return;
        const readAt = new Date().toISOString();
        const next = items.map((n) =>
          n.readAt === null && (all || notificationId === null || n.id === notificationId)
            ? { ...n, readAt }
            : n,
        );
        this.snapshot = { ...this.snapshot, items: next };
        return;
      }
      case 'deleted': {
        const next = items.filter((n) => n.id !== event.payload.notificationId);
        if (next.length !== items.length) this.snapshot = { ...this.snapshot, items: next };
        return;
      }
      case 'count':
        this.snapshot = { ...this.snapshot, unreadCount: event.payload.unreadCount };
        return;
    }
  }

  private update(patch: Partial<InboxSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    this.listeners.emit(this.snapshot);
  }
}

/** Newest first; the first copy of an id wins. */
function dedupeSorted(items: readonly Notification[]): Notification[] {
  const seen = new Set<string>();
  const unique: Notification[] = [];
  for (const item of items) {
    if (seen.has(item.id)) continue;
    seen.add(item.id);
    unique.push(item);
  }
  // Stable sort, so equal timestamps keep the server's order.
  return unique.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
