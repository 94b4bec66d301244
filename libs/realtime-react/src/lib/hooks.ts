import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import {
  ClientErrorCode,
  INITIAL_CONNECTION_STATE,
  type ConnectionState,
  type EmitResult,
  type HeraldSocket,
  type InboxMutationResult,
  type InboxSnapshot,
  type ServerEventHandler,
} from '@herald/realtime-client';
import type { ClientEventPayloads, Notification, ServerEventPayloads } from '@herald/ws-contracts';
import { useIsomorphicLayoutEffect } from './isomorphic-layout-effect';
import { EventSubscriptions, type SubscribeToEvent } from './event-subscriptions';
import { useRealtimeClient } from './realtime-provider';

const noopSubscribe = () => () => undefined;

/** Typed emit with acknowledgement. */
export type EmitWithAck = <E extends keyof ClientEventPayloads>(
  event: E,
  payload: ClientEventPayloads[E],
  options?: { timeout?: number },
) => Promise<EmitResult<E>>;

export interface UseSocketResult {
  /**
   * The provider's typed Socket.IO socket, or null while signed out. It is the same object
   * across reconnects of one session; a new token brings a new one. Prefer `on`/`emit`,
   * which follow the connection for you.
   */
  socket: HeraldSocket | null;
  /**
   * Subscribes `handler` to a server event; returns the unsubscribe function, made to be an
   * effect's cleanup. The subscription survives reconnects and a change of token (it moves
   * to the new connection), and may be made before the connection exists. `on` keeps its
   * identity for the component's life, so it can sit in effect dependencies.
   */
  on: SubscribeToEvent;
  /**
   * Sends a client event and resolves to its acknowledgement: the server's
   * `{ ok: true, ... }` / `{ ok: false, error }`, or `{ ok: false }` with NOT_CONNECTED
   * (signed out or offline) or ACK_TIMEOUT. Like the client's `emitWithAck`, it never
   * rejects, so every outcome is handled in one place. Keeps its identity for the
   * component's life.
   */
  emit: EmitWithAck;
  /** The connection state, live (see `useConnectionState`). */
  state: ConnectionState;
}

/**
 * The component's event subscriptions on the provider's connection. `on` is stable for the
 * component's life; the subscriptions follow the provider's client (reconnects keep the
 * client; a new token swaps it and they are re-attached).
 */
function useEventSubscriptions(): SubscribeToEvent {
  const client = useRealtimeClient();
  const [subscriptions] = useState(() => new EventSubscriptions());
  useEffect(() => (client ? subscriptions.attach(client) : undefined), [subscriptions, client]);
  return subscriptions.on;
}

/**
 * The provider's connection as `{ socket, on, emit, state }`: typed by the contract, with
 * `on` and `emit` stable across renders.
 *
 * @example
 * function XpCounter() {
 *   const { on } = useSocket();
 *   const [xp, setXp] = useState(0);
 *   useEffect(() => on('xp:gained', (p) => setXp(p.totalXp)), [on]);
 *   return <p>{xp} XP</p>;
 * }
 */
export function useSocket(): UseSocketResult {
  const client = useRealtimeClient();
  const on = useEventSubscriptions();
  const state = useConnectionState();
  const latestClient = useRef(client);
  useIsomorphicLayoutEffect(() => {
    latestClient.current = client;
  });
  const emit = useCallback<EmitWithAck>(async (event, payload, options) => {
    const current = latestClient.current;
    if (!current) {
      return { ok: false, error: { code: ClientErrorCode.NotConnected, message: 'signed out' } };
    }
    return current.emitWithAck(event, payload, options);
  }, []);
  const socket = client?.socket ?? null;
  return useMemo(() => ({ socket, on, emit, state }), [socket, on, emit, state]);
}

/**
 * Calls `handler` for every `event` from the server: sugar for `useSocket().on` in an
 * effect. The latest handler is always called (no stale closures) while the subscription
 * itself only changes with the event name, and it follows the connection across
 * reconnects and a change of token.
 */
export function useSocketEvent<E extends keyof ServerEventPayloads>(
  event: E,
  handler: ServerEventHandler<E>,
): void {
  const on = useEventSubscriptions();
  const latest = useRef(handler);
  useIsomorphicLayoutEffect(() => {
    latest.current = handler;
  });
  useEffect(() => on(event, (payload) => latest.current(payload)), [on, event]);
}

const SIGNED_OUT: ConnectionState = { ...INITIAL_CONNECTION_STATE, status: 'idle' };

/** connecting / connected / reconnecting / unauthorized / disconnected, with the last error code. */
export function useConnectionState(): ConnectionState {
  const client = useRealtimeClient();
  const subscribe = useMemo(() => client?.subscribe ?? noopSubscribe, [client]);
  const getSnapshot = useCallback(() => client?.getState() ?? SIGNED_OUT, [client]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

const EMPTY_INBOX: InboxSnapshot = {
  items: [],
  unreadCount: 0,
  status: 'idle',
  error: null,
  hasMore: false,
  syncedAt: null,
};

function useInboxSnapshot(): InboxSnapshot {
  const inbox = useRealtimeClient()?.inbox ?? null;
  const subscribe = useMemo(() => inbox?.subscribe ?? noopSubscribe, [inbox]);
  const getSnapshot = useCallback(() => inbox?.getSnapshot() ?? EMPTY_INBOX, [inbox]);
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** The user's unread count, live (0 while signed out). */
export function useUnreadCount(): number {
  return useInboxSnapshot().unreadCount;
}

export interface UseNotificationsResult {
  notifications: readonly Notification[];
  unreadCount: number;
  status: InboxSnapshot['status'];
  error: string | null;
  hasMore: boolean;
  markRead: (id: string) => Promise<InboxMutationResult>;
  markAllRead: () => Promise<InboxMutationResult>;
  remove: (id: string) => Promise<InboxMutationResult>;
  loadMore: () => Promise<void>;
  /** Reloads from the server (done automatically on every (re)connect). */
  refresh: () => Promise<void>;
}

const OFFLINE: InboxMutationResult = {
  ok: false,
  error: { code: ClientErrorCode.NotConnected, message: 'signed out' },
};

/** The inbox: list newest first, kept in sync across devices, with its actions. */
export function useNotifications(): UseNotificationsResult {
  const inbox = useRealtimeClient()?.inbox ?? null;
  const snapshot = useInboxSnapshot();
  const actions = useMemo(
    () => ({
      markRead: async (id: string) => (inbox ? inbox.markRead(id) : OFFLINE),
      markAllRead: async () => (inbox ? inbox.markAllRead() : OFFLINE),
      remove: async (id: string) => (inbox ? inbox.remove(id) : OFFLINE),
      loadMore: async () => inbox?.loadMore(),
      refresh: async () => inbox?.resync(),
    }),
    [inbox],
  );
  return {
    notifications: snapshot.items,
    unreadCount: snapshot.unreadCount,
    status: snapshot.status,
    error: snapshot.error,
    hasMore: snapshot.hasMore,
    ...actions,
  };
}
