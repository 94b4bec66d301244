import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import {
  ClientErrorCode,
  INITIAL_CONNECTION_STATE,
  type ConnectionState,
  type EmitResult,
  type HeraldSocket,
  type InboxMutationResult,
  type InboxSnapshot,
} from '@herald/realtime-client';
import type { ClientEventPayloads, Notification, ServerEventPayloads } from '@herald/ws-contracts';
import { useIsomorphicLayoutEffect } from './isomorphic-layout-effect';
import { useRealtimeClient } from './realtime-provider';

const noopSubscribe = () => () => undefined;

export interface UseSocketResult {
  socket: HeraldSocket | null;
  /** Typed emit with acknowledgement; NOT_CONNECTED when there is no connection. */
  emit: <E extends keyof ClientEventPayloads>(
    event: E,
    payload: ClientEventPayloads[E],
    options?: { timeout?: number },
  ) => Promise<EmitResult<E>>;
}

export function useSocket(): UseSocketResult {
  const client = useRealtimeClient();
  const emit = useCallback<UseSocketResult['emit']>(
    async (event, payload, options) => {
      if (!client) {
        return { ok: false, error: { code: ClientErrorCode.NotConnected, message: 'signed out' } };
      }
      return client.emitWithAck(event, payload, options);
    },
    [client],
  );
  return useMemo(() => ({ socket: client?.socket ?? null, emit }), [client, emit]);
}

/**
 * Calls `handler` for every `event` from the server. The latest handler is always called
 * (no stale closures) while the subscription itself only changes with the event name or
 * the client, e.g. after sign-in as someone else.
 */
export function useSocketEvent<E extends keyof ServerEventPayloads>(
  event: E,
  handler: (payload: ServerEventPayloads[E]) => void,
): void {
  const client = useRealtimeClient();
  const latest = useRef(handler);
  useIsomorphicLayoutEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!client) return;
    return client.on(event, (payload) => latest.current(payload));
  }, [client, event]);
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
