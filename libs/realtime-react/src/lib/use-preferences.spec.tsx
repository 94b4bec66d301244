import { act, configure, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Preferences } from '@herald/ws-contracts';
// The in-process contract server is shared with realtime-client's specs (test code only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  mintToken,
  startTestServer,
  type TestServer,
} from '../../../realtime-client/src/testing/test-server';
import { useConnectionState } from './hooks';
import { RealtimeProvider } from './realtime-provider';
import { usePreferences } from './use-preferences';

configure({ asyncUtilTimeout: 5_000 });

const DEFAULTS: Preferences = {
  channels: { email: true, webhook: true },
  types: {},
  quietHours: null,
};

/**
 * `/api/preferences` of one user as the API answers it (GET, PUT with validation of the
 * zone), recording the requests; the socket side is the real in-process server.
 */
function preferencesApi() {
  let stored = DEFAULTS;
  const requests: { method: string; authorization: string | null }[] = [];
  const fetch = async (_url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    requests.push({ method: init?.method ?? 'GET', authorization: headers.get('authorization') });
    if (init?.method === 'PUT') {
      const body = JSON.parse(String(init.body)) as Preferences;
      if (body.quietHours && body.quietHours.timezone === 'Mars/Base') {
        return Response.json(
          {
            statusCode: 400,
            message: ['quietHours.timezone: must be an IANA time zone'],
            error: 'Bad Request',
            code: 'INVALID_PAYLOAD',
          },
          { status: 400 },
        );
      }
      stored = body;
    }
    return Response.json(stored);
  };
  return { fetch, requests };
}

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe('usePreferences', () => {
  it('loads with the token, saves, refuses bad input unchanged, and follows preferences:updated', async () => {
    const token = await mintToken('prefs-user');
    const api = preferencesApi();
    const wrapper = ({ children }: { children?: ReactNode }) => (
      <RealtimeProvider token={token} options={{ url: server.url }}>
        {children}
      </RealtimeProvider>
    );
    const { result } = renderHook(
      () => ({ prefs: usePreferences({ token, fetch: api.fetch }), state: useConnectionState() }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.prefs.status).toBe('ready'));
    expect(result.current.prefs.preferences).toEqual(DEFAULTS);
    expect(api.requests[0]).toEqual({ method: 'GET', authorization: `Bearer ${token}` });

    const quiet: Preferences = {
      ...DEFAULTS,
      quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
    };
    await act(() => result.current.prefs.save(quiet));
    expect(result.current.prefs.preferences).toEqual(quiet);

    await act(async () => {
      await expect(
        result.current.prefs.save({
          ...quiet,
          quietHours: { start: '22:00', end: '07:00', timezone: 'Mars/Base' },
        }),
      ).rejects.toThrow(/IANA/);
    });
    expect(result.current.prefs.error).toMatch(/IANA/);
    expect(result.current.prefs.preferences).toEqual(quiet);

    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    const elsewhere: Preferences = { ...DEFAULTS, channels: { email: false, webhook: true } };
    server.emitTo('prefs-user', 'preferences:updated', elsewhere);
    await waitFor(() => expect(result.current.prefs.preferences).toEqual(elsewhere));
  });

  it('stays idle and asks nothing while signed out', () => {
    const api = preferencesApi();
    const { result } = renderHook(() => usePreferences({ token: null, fetch: api.fetch }), {
      wrapper: ({ children }) => <RealtimeProvider token={null}>{children}</RealtimeProvider>,
    });
    expect(result.current).toMatchObject({ preferences: null, status: 'idle' });
    expect(api.requests).toHaveLength(0);
  });
});
