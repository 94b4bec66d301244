import { StrictMode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { act, configure, render, renderHook, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ServerEventPayloads } from '@herald/ws-contracts';
import { RealtimeClient } from '@herald/realtime-client';
import { mintToken, startTestServer, type TestServer } from '@herald/realtime-client/testing';
import { RealtimeProvider, useRealtimeClient } from './realtime-provider';
import {
  useConnectionState,
  useNotifications,
  useSocket,
  useSocketEvent,
  useUnreadCount,
  type UseSocketResult,
} from './hooks';

// Real sockets on a shared, busy machine: allow more than the default 1 s (liveness only).
configure({ asyncUtilTimeout: 5_000 });

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

const options = () => ({ url: server.url, reconnection: { minMs: 50, maxMs: 200 } });

function Status() {
  const state = useConnectionState();
  return (
    <p data-testid="status">
      {state.status}
      {state.errorCode ? `:${state.errorCode}` : ''}
    </p>
  );
}

function Inbox() {
  const { notifications, markRead, markAllRead, remove, status } = useNotifications();
  const unread = useUnreadCount();
  return (
    <section>
      <p data-testid="inbox-status">{status}</p>
      <p data-testid="unread">{unread}</p>
      <button onClick={() => void markAllRead()}>read all</button>
      <ul>
        {notifications.map((n) => (
          <li key={n.id}>
            <span>{n.title}</span>
            <span>{n.readAt ? 'read' : 'unread'}</span>
            <button onClick={() => void markRead(n.id)}>read {n.title}</button>
            <button onClick={() => void remove(n.id)}>delete {n.title}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}

describe('RealtimeProvider', () => {
  it('opens exactly one connection under StrictMode and closes it on unmount', async () => {
    const token = await mintToken('ana');
    const view = render(
      <StrictMode>
        <RealtimeProvider token={token} options={options()}>
          <Status />
        </RealtimeProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.handshakes).toHaveLength(1);
    expect(await server.socketsOf('ana')).toBe(1);
    view.unmount();
    await waitFor(async () => expect(await server.socketsOf('ana')).toBe(0));
  });

  it('connects nothing while signed out', async () => {
    render(
      <RealtimeProvider token={null} options={options()}>
        <Status />
      </RealtimeProvider>,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(screen.getByTestId('status').textContent).toBe('idle');
    expect(server.handshakes).toHaveLength(0);
  });

  it('gives hooks a null client while signed out, never an error', () => {
    const { result } = renderHook(() => useRealtimeClient(), {
      wrapper: ({ children }) => <RealtimeProvider token={null}>{children}</RealtimeProvider>,
    });
    expect(result.current).toBeNull();
  });

  it('makes every hook outside <RealtimeProvider> throw an error that names the fix', () => {
    // React reports the render error on console.error as well; keep the output readable.
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const hook of [
        useRealtimeClient,
        useSocket,
        () => useSocketEvent('xp:gained', () => undefined),
        useConnectionState,
        useNotifications,
        useUnreadCount,
      ]) {
        expect(() => renderHook(hook)).toThrow(
          /^useRealtimeClient must be used within <RealtimeProvider \/>/,
        );
      }
    } finally {
      consoleError.mockRestore();
    }
    expect(server.handshakes).toHaveLength(0);
  });

  it('shows unauthorized with the error code for a refused token', async () => {
    render(
      <RealtimeProvider token="not-a-jwt" options={options()}>
        <Status />
      </RealtimeProvider>,
    );
    await waitFor(() =>
      expect(screen.getByTestId('status').textContent).toBe('unauthorized:TOKEN_INVALID'),
    );
  });

  it('moves to a new socket when the token changes, and event handlers follow it', async () => {
    const anaToken = await mintToken('ana');
    const bobToken = await mintToken('bob');
    const received: string[] = [];
    let switchTo: (token: string) => void = () => undefined;

    function Listener() {
      useSocketEvent('achievement:unlocked', (p) => received.push(p.title));
      return null;
    }
    function App() {
      const [token, setToken] = useState(anaToken);
      switchTo = setToken;
      return (
        <RealtimeProvider token={token} options={options()}>
          <Status />
          <Listener />
        </RealtimeProvider>
      );
    }
    render(<App />);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    const achievement = (title: string): ServerEventPayloads['achievement:unlocked'] => ({
      achievementId: title,
      title,
    });
    server.emitTo('ana', 'achievement:unlocked', achievement('for ana'));
    await waitFor(() => expect(received).toEqual(['for ana']));

    act(() => switchTo(bobToken));
    await waitFor(async () => expect(await server.socketsOf('bob')).toBe(1));
    await waitFor(async () => expect(await server.socketsOf('ana')).toBe(0));
    server.emitTo('bob', 'achievement:unlocked', achievement('for bob'));
    await waitFor(() => expect(received).toEqual(['for ana', 'for bob']));
  });
});

describe('useSocketEvent', () => {
  it('calls the latest handler without subscribing again on every render', async () => {
    const onSpy = vi.spyOn(RealtimeClient.prototype, 'on');
    const token = await mintToken('ana');
    const seen: string[] = [];
    function Counter() {
      const [label, setLabel] = useState('first');
      useSocketEvent('xp:gained', (p) => seen.push(`${label}:${p.totalXp}`));
      return <button onClick={() => setLabel('second')}>relabel</button>;
    }
    render(
      <RealtimeProvider token={token} options={options()}>
        <Status />
        <Counter />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    const subscriptions = onSpy.mock.calls.filter(([event]) => event === 'xp:gained').length;
    server.emitTo('ana', 'xp:gained', { amount: 1, source: 'quiz', totalXp: 1 });
    await waitFor(() => expect(seen).toEqual(['first:1']));

    await userEvent.click(screen.getByRole('button', { name: 'relabel' }));
    server.emitTo('ana', 'xp:gained', { amount: 1, source: 'quiz', totalXp: 2 });
    await waitFor(() => expect(seen).toEqual(['first:1', 'second:2']));
    expect(onSpy.mock.calls.filter(([event]) => event === 'xp:gained').length).toBe(subscriptions);
    onSpy.mockRestore();
  });
});

describe('useSocket', () => {
  const xp = (totalXp: number): ServerEventPayloads['xp:gained'] => ({
    amount: 1,
    source: 'quiz',
    totalXp,
  });

  it('types on and emit by the contract', () => {
    // Compile-time only: `typecheck` fails if any line below stops being an error.
    const typeChecks = ({ on, emit }: UseSocketResult) => {
      on('xp:gained', (p) => p.totalXp.toFixed());
      // @ts-expect-error: not a server event of the contract
      on('xp:lost', () => undefined);
      // @ts-expect-error: totalXp is a number in xp:gained
      on('xp:gained', (p: { totalXp: string }) => p.totalXp);
      const unsubscribe: () => void = on('rank:updated', () => undefined);
      void emit('notification:mark_read', { notificationId: 'n1' }).then((answer) =>
        answer.ok ? answer.unreadCount.toFixed() : answer.error.code,
      );
      // @ts-expect-error: notificationId is a string
      void emit('notification:mark_read', { notificationId: 1 });
      // @ts-expect-error: not a client event of the contract
      void emit('notification:archive', {});
      return unsubscribe;
    };
    expect(typeChecks).toBeTypeOf('function');
  });

  it('keeps on and emit the same across renders and connection changes', async () => {
    const token = await mintToken('ana');
    const { result, rerender } = renderHook(() => useSocket(), {
      wrapper: ({ children }) => (
        <RealtimeProvider token={token} options={options()}>
          {children}
        </RealtimeProvider>
      ),
    });
    const { on, emit } = result.current;
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    rerender();
    expect(result.current.on).toBe(on);
    expect(result.current.emit).toBe(emit);
    expect(result.current.socket?.connected).toBe(true);
  });

  it('delivers events to on() until its unsubscribe is called', async () => {
    const token = await mintToken('ana');
    const { result } = renderHook(() => useSocket(), {
      wrapper: ({ children }) => (
        <RealtimeProvider token={token} options={options()}>
          {children}
        </RealtimeProvider>
      ),
    });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    const seen: number[] = [];
    const unsubscribe = result.current.on('xp:gained', (p) => seen.push(p.totalXp));
    const marker: number[] = [];
    result.current.on('xp:gained', (p) => marker.push(p.totalXp));
    server.emitTo('ana', 'xp:gained', xp(1));
    await waitFor(() => expect(seen).toEqual([1]));
    unsubscribe();
    unsubscribe(); // a second call changes nothing
    server.emitTo('ana', 'xp:gained', xp(2));
    // Events arrive in order: once the marker saw 2, the unsubscribed handler would have too.
    await waitFor(() => expect(marker).toEqual([1, 2]));
    expect(seen).toEqual([1]);
  });

  it('leaves exactly one listener per on() in an effect under StrictMode', async () => {
    const token = await mintToken('ana');
    const seen: string[] = [];
    function XpLog({ name }: { name: string }) {
      const { on } = useSocket();
      useEffect(() => on('xp:gained', (p) => seen.push(`${name}:${p.totalXp}`)), [on, name]);
      return null;
    }
    // Mounted once connected, so StrictMode's double effects run against a live client too.
    function LateXpLog() {
      const { state } = useSocket();
      return state.status === 'connected' ? <XpLog name="late" /> : null;
    }
    render(
      <StrictMode>
        <RealtimeProvider token={token} options={options()}>
          <Status />
          <XpLog name="early" />
          <LateXpLog />
        </RealtimeProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    server.emitTo('ana', 'xp:gained', xp(1));
    server.emitTo('ana', 'xp:gained', xp(2));
    await waitFor(() => expect(seen).toContain('late:2'));
    await waitFor(() => expect(seen).toContain('early:2'));
    expect([...seen].sort()).toEqual(['early:1', 'early:2', 'late:1', 'late:2']);
  });

  it('calls the latest handler from props without subscribing again', async () => {
    const onSpy = vi.spyOn(RealtimeClient.prototype, 'on');
    const token = await mintToken('ana');
    const seen: string[] = [];
    function XpLog({ label }: { label: string }) {
      const { on } = useSocket();
      const latestLabel = useRef(label);
      useLayoutEffect(() => {
        latestLabel.current = label;
      });
      useEffect(
        () => on('xp:gained', (p) => seen.push(`${latestLabel.current}:${p.totalXp}`)),
        [on],
      );
      return null;
    }
    const view = render(
      <RealtimeProvider token={token} options={options()}>
        <Status />
        <XpLog label="first" />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    const subscriptions = onSpy.mock.calls.filter(([event]) => event === 'xp:gained').length;
    expect(subscriptions).toBe(1);
    view.rerender(
      <RealtimeProvider token={token} options={options()}>
        <Status />
        <XpLog label="second" />
      </RealtimeProvider>,
    );
    server.emitTo('ana', 'xp:gained', xp(1));
    await waitFor(() => expect(seen).toEqual(['second:1']));
    expect(onSpy.mock.calls.filter(([event]) => event === 'xp:gained').length).toBe(1);
    onSpy.mockRestore();
  });

  it('keeps on() subscriptions across a reconnect and a server restart', async () => {
    const token = await mintToken('ana');
    const seen: number[] = [];
    function XpLog() {
      const { on } = useSocket();
      useEffect(() => on('xp:gained', (p) => seen.push(p.totalXp)), [on]);
      return null;
    }
    render(
      <RealtimeProvider token={token} options={options()}>
        <Status />
        <XpLog />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));

    // Drop the transport: the client reconnects on its own.
    for (const socket of await server.io.fetchSockets()) {
      (socket as unknown as { conn: { close(): void } }).conn.close();
    }
    await waitFor(() => expect(server.handshakes).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    server.emitTo('ana', 'xp:gained', xp(1));
    await waitFor(() => expect(seen).toEqual([1]));

    // The whole server goes away and comes back on the same port.
    const port = server.port;
    await server.close();
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('reconnecting'));
    server = await startTestServer({ port });
    await waitFor(async () => expect(await server.socketsOf('ana')).toBe(1));
    server.emitTo('ana', 'xp:gained', xp(2));
    await waitFor(() => expect(seen).toEqual([1, 2]));
  });

  it('emits a typed event and resolves to the acknowledgement', async () => {
    const token = await mintToken('ana');
    const n = server.store('ana', 'hello');
    let answer: unknown;
    function Marker() {
      const { emit, socket } = useSocket();
      return (
        <button
          disabled={!socket}
          onClick={async () => {
            answer = await emit('notification:mark_read', { notificationId: n.id });
          }}
        >
          mark
        </button>
      );
    }
    render(
      <RealtimeProvider token={token} options={options()}>
        <Status />
        <Marker />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('connected'));
    await userEvent.click(screen.getByRole('button', { name: 'mark' }));
    await waitFor(() => expect(answer).toEqual({ ok: true, notificationId: n.id, unreadCount: 0 }));
  });

  it("resolves the server's refusal and NOT_CONNECTED as { ok: false }, never a rejection", async () => {
    const token = await mintToken('ana');
    const { result } = renderHook(() => useSocket(), {
      wrapper: ({ children }) => (
        <RealtimeProvider token={token} options={options()}>
          {children}
        </RealtimeProvider>
      ),
    });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    await expect(
      result.current.emit('notification:mark_read', { notificationId: 'missing' }),
    ).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'not found' } });

    const signedOut = renderHook(() => useSocket(), {
      wrapper: ({ children }) => <RealtimeProvider token={null}>{children}</RealtimeProvider>,
    });
    await expect(
      signedOut.result.current.emit('notification:mark_all_read', {}),
    ).resolves.toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });
});

describe('useNotifications and useUnreadCount', () => {
  it('loads the inbox on connect, follows pushes and acts on it', async () => {
    server.store('ana', 'waiting');
    const token = await mintToken('ana');
    render(
      <RealtimeProvider token={token} options={options()}>
        <Inbox />
      </RealtimeProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('inbox-status').textContent).toBe('ready'));
    expect(screen.getByText('waiting')).toBeTruthy();
    expect(screen.getByTestId('unread').textContent).toBe('1');

    server.notify('ana', 'pushed');
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('2'));

    await userEvent.click(screen.getByRole('button', { name: 'read pushed' }));
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('1'));

    await userEvent.click(screen.getByRole('button', { name: 'delete waiting' }));
    await waitFor(() => expect(screen.queryByText('waiting')).toBeNull());
    expect(screen.getByTestId('unread').textContent).toBe('0');
  });

  it('keeps two mounted apps of the same user in sync', async () => {
    const token = await mintToken('ana');
    const other = await mintToken('ana', { expiresInSeconds: 7200 });
    render(
      <>
        <div data-testid="one">
          <RealtimeProvider token={token} options={options()}>
            <Inbox />
          </RealtimeProvider>
        </div>
        <div data-testid="two">
          <RealtimeProvider token={other} options={options()}>
            <Status />
          </RealtimeProvider>
        </div>
      </>,
    );
    await waitFor(() => expect(screen.getByTestId('inbox-status').textContent).toBe('ready'));
    await waitFor(async () => expect(await server.socketsOf('ana')).toBe(2));
    server.notify('ana', 'a');
    server.notify('ana', 'b');
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('2'));
    await userEvent.click(screen.getByRole('button', { name: 'read all' }));
    await waitFor(() => expect(screen.getByTestId('unread').textContent).toBe('0'));
    expect(screen.getAllByText('read')).toHaveLength(2);
  });
});
