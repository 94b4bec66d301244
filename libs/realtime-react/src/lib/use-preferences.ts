import { useCallback, useEffect, useRef, useState } from 'react';
import type { HttpErrorBody, Preferences } from '@herald/ws-contracts';
import { useSocketEvent } from './hooks';

export interface UsePreferencesOptions {
  /**
   * The signed-in user's token (the one given to `<RealtimeProvider>`); `null` while signed
   * out. Passed in because the client never hands its token out.
   */
  token: string | null | undefined;
  /** Base URL of the HTTP API. Default: the page's origin. */
  httpUrl?: string;
  /** `fetch` to use (default: the global one). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

export interface UsePreferencesResult {
  /** The user's preferences; `null` until loaded (and while signed out). */
  preferences: Preferences | null;
  status: 'idle' | 'loading' | 'ready' | 'saving' | 'error';
  /** The server's message for the last failed load or save. */
  error: string | null;
  /**
   * Replaces the preferences (`PUT /api/preferences`). Resolves with the stored ones, or
   * rejects with the server's message (e.g. an unknown time zone); nothing changes then.
   */
  save: (preferences: Preferences) => Promise<Preferences>;
}

/**
 * The signed-in user's channel preferences: loaded over HTTP, kept live by
 * `preferences:updated` (a change made on another device or by a service shows at once),
 * and saved with `save`. Use it inside `<RealtimeProvider>`.
 */
export function usePreferences(options: UsePreferencesOptions): UsePreferencesResult {
  const { token, httpUrl = '' } = options;
  const fetchRef = useRef(options.fetch);
  fetchRef.current = options.fetch;
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [status, setStatus] = useState<UsePreferencesResult['status']>('idle');
  const [error, setError] = useState<string | null>(null);

  const request = useCallback(
    async (method: 'GET' | 'PUT', body?: Preferences): Promise<Preferences> => {
      if (!token) throw new Error('signed out');
      const doFetch = fetchRef.current ?? ((input, init) => globalThis.fetch(input, init));
      const response = await doFetch(`${httpUrl.replace(/\/+$/, '')}/api/preferences`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const parsed: unknown = await response.json().catch(() => null);
      if (!response.ok) {
        const message = (parsed as HttpErrorBody | null)?.message;
        throw new Error(
          Array.isArray(message) ? message.join('; ') : (message ?? `HTTP ${response.status}`),
        );
      }
      return parsed as Preferences;
    },
    [token, httpUrl],
  );

  useEffect(() => {
    setPreferences(null);
    setError(null);
    if (!token) {
      setStatus('idle');
      return;
    }
    let current = true;
    setStatus('loading');
    request('GET').then(
      (loaded) => {
        if (!current) return;
        setPreferences(loaded);
        setStatus('ready');
      },
      (failure: Error) => {
        if (!current) return;
        setError(failure.message);
        setStatus('error');
      },
    );
    return () => {
      current = false;
    };
  }, [token, request]);

  useSocketEvent('preferences:updated', (updated) => {
    setPreferences(updated);
    setStatus((previous) => (previous === 'saving' ? previous : 'ready'));
  });

  const save = useCallback(
    async (next: Preferences) => {
      setStatus('saving');
      setError(null);
      try {
        const stored = await request('PUT', next);
        setPreferences(stored);
        setStatus('ready');
        return stored;
      } catch (failure) {
        const message = failure instanceof Error ? failure.message : String(failure);
        setError(message);
        setStatus('ready');
        throw failure;
      }
    },
    [request],
  );

  return { preferences, status, error, save };
}
