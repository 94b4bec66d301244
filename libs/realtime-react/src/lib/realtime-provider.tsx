import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import {
  createRealtimeClient,
  type RealtimeClient,
  type RealtimeClientOptions,
} from '@herald/realtime-client';
import { useIsomorphicLayoutEffect } from './isomorphic-layout-effect';

/** `undefined` only outside any provider; `null` inside one while signed out. */
const RealtimeContext = createContext<RealtimeClient | null | undefined>(undefined);
RealtimeContext.displayName = 'RealtimeContext';

export type RealtimeProviderOptions = Omit<
  RealtimeClientOptions,
  'token' | 'refreshToken' | 'autoConnect'
>;

export interface RealtimeProviderProps {
  /** The signed-in user's token; `null`/`undefined` means signed out (no connection). */
  token: string | null | undefined;
  /** Returns a new token (sent with `auth:refresh` before expiry, used after TOKEN_EXPIRED). */
  refreshToken?: () => Promise<string>;
  /** Everything else of the client; read when a client is created (i.e. per token). */
  options?: RealtimeProviderOptions;
  children?: ReactNode;
}

interface PoolEntry {
  client: RealtimeClient;
  refs: number;
  release: ReturnType<typeof setTimeout> | null;
}

/**
 * Owns ONE realtime client per token. The client is released one tick after the last
 * effect lets go of it, so React StrictMode's mount → unmount → mount keeps the same
 * connection instead of opening two. A new token means a new client; hooks re-subscribe
 * to it, so handlers survive the new socket.
 */
export function RealtimeProvider({
  token,
  refreshToken,
  options,
  children,
}: RealtimeProviderProps) {
  const pool = useRef(new Map<string, PoolEntry>());
  const latest = useRef({ refreshToken, options });
  // Before the effect below reads it; a layout effect, not a write during render.
  useIsomorphicLayoutEffect(() => {
    latest.current = { refreshToken, options };
  });
  const [client, setClient] = useState<RealtimeClient | null>(null);

  useEffect(() => {
    if (!token) {
      setClient(null);
      return;
    }
    const entries = pool.current;
    let entry = entries.get(token);
    if (entry) {
      if (entry.release) clearTimeout(entry.release);
      entry.release = null;
    } else {
      const { options: clientOptions, refreshToken: refresher } = latest.current;
      entry = {
        client: createRealtimeClient({
          ...clientOptions,
          token,
          // Always the app's latest refresher, without recreating the client.
          refreshToken: refresher ? () => (latest.current.refreshToken ?? refresher)() : undefined,
        }),
        refs: 0,
        release: null,
      };
      entries.set(token, entry);
    }
    entry.refs++;
    setClient(entry.client);
    const held = entry;
    return () => {
      held.refs--;
      if (held.refs > 0) return;
      held.release = setTimeout(() => {
        if (held.refs > 0) return;
        held.client.dispose();
        if (entries.get(token) === held) entries.delete(token);
      }, 0);
    };
  }, [token]);

  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

/**
 * The provider's client: `null` while signed out (no token) and until the provider's first
 * effect ran. Every Herald hook reads it, so they all share the provider's one connection.
 *
 * @throws Error when called outside `<RealtimeProvider>`: silently returning `null` there
 * would look like "signed out" and hide the missing provider.
 */
export function useRealtimeClient(): RealtimeClient | null {
  const client = useContext(RealtimeContext);
  if (client === undefined) {
    throw new Error(
      'useRealtimeClient must be used within <RealtimeProvider />: wrap the components that ' +
        'use Herald hooks (useSocket, useSocketEvent, useConnectionState, useNotifications, ' +
        'useUnreadCount) in <RealtimeProvider token={...}>',
    );
  }
  return client;
}
