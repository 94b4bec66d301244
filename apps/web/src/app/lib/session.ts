import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DemoUser } from '@herald/ws-contracts';
import { api } from './api';

/** The demo users one can sign in as (the API's DEMO_USERS). */
export const DEMO_CAST: readonly Pick<DemoUser, 'id' | 'email' | 'name'>[] = [
  { id: 'ana', email: 'ana@herald.dev', name: 'Ana Souza' },
  { id: 'bruno', email: 'bruno@herald.dev', name: 'Bruno Lima' },
  { id: 'carla', email: 'carla@herald.dev', name: 'Carla Dias' },
  { id: 'diego', email: 'diego@herald.dev', name: 'Diego Alves' },
];

export interface Session {
  user: DemoUser;
  /** The token the realtime connection was opened with. */
  token: string;
}

const STORAGE_KEY = 'herald.session';

/** Per tab (sessionStorage): two tabs may be two different users, and a reload keeps you in. */
function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function save(session: Session | null): void {
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

export interface SessionApi {
  session: Session | null;
  signIn: (who: { email: string; userId?: string; name?: string }) => Promise<void>;
  signOut: () => void;
  /** Signs in again as the same user; used by the realtime client when the token expires. */
  refreshToken: () => Promise<string>;
  /** The freshest token, for HTTP calls. */
  currentToken: () => string | null;
}

export function useSession(): SessionApi {
  const [session, setSession] = useState<Session | null>(load);
  // Refreshed tokens go here and to storage, NOT into `session.token`: a new token prop
  // would make the provider open a new connection, while a refresh must keep the socket.
  const latestToken = useRef<string | null>(session?.token ?? null);
  const sessionRef = useRef(session);
  useEffect(() => {
    sessionRef.current = session;
  }, [session]);

  const signIn = useCallback<SessionApi['signIn']>(async (who) => {
    const answer = await api.demoLogin(who);
    const next = { user: answer.user, token: answer.accessToken };
    latestToken.current = next.token;
    save(next);
    setSession(next);
  }, []);

  const signOut = useCallback(() => {
    latestToken.current = null;
    save(null);
    setSession(null);
  }, []);

  const refreshToken = useCallback(async () => {
    const current = sessionRef.current;
    if (!current) throw new Error('signed out');
    const answer = await api.demoLogin({ email: current.user.email, userId: current.user.id });
    latestToken.current = answer.accessToken;
    save({ ...current, token: answer.accessToken });
    return answer.accessToken;
  }, []);

  const currentToken = useCallback(() => latestToken.current, []);

  return useMemo(
    () => ({ session, signIn, signOut, refreshToken, currentToken }),
    [session, signIn, signOut, refreshToken, currentToken],
  );
}
