/**
 * Who is connected, by user. The gateway records every authenticated socket here and
 * `WebSocketService.isUserConnected` / `getUserSocketCount` read it.
 *
 * Every method is async so that a cluster-wide implementation (Redis: one set of socket
 * ids per user plus a heartbeat per process, so the sockets of a process that died are
 * forgotten) slots in without changing a caller. The in-memory store is exact for a
 * single process.
 */
export interface PresenceStore {
  /** Short name shown in health output, e.g. `memory` or `redis`. */
  readonly kind: string;
  /** Records that `socketId` of `userId` is connected (idempotent). */
  add(userId: string, socketId: string): Promise<void>;
  /** Forgets one socket (idempotent). */
  remove(userId: string, socketId: string): Promise<void>;
  /** Number of connected sockets of the user, across every process sharing the store. */
  countSockets(userId: string): Promise<number>;
  /**
   * `countSockets` of several users at once (one round trip however many), keyed by
   * userId; every user asked for is in the map, 0 when offline.
   */
  countSocketsByUser(userIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * One page of the connected users in ascending userId order (code-unit order), starting
   * after `after` (exclusive): keyset paging, so a page costs the same wherever it starts.
   * `next` is the userId to pass as `after` for the following page, absent on the last one.
   */
  listUsers(options: { limit: number; after?: string }): Promise<PresenceListPage>;
  /** Releases timers and connections; sockets of this process are forgotten. */
  close(): Promise<void>;
}

/** A connected user and how many sockets it has across the cluster. */
export interface PresenceEntry {
  userId: string;
  sockets: number;
}

/** A page of `PresenceStore.listUsers`. */
export interface PresenceListPage {
  users: PresenceEntry[];
  /** Pass as `after` for the next page; absent when this page reached the end. */
  next?: string;
}

/** Injection token of the PresenceStore in use. */
export const PRESENCE_STORE = Symbol('PRESENCE_STORE');
