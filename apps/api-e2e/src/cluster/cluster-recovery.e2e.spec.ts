import { type ApiProcess, mintToken, waitFor } from '../../../../tools/testing/index.mjs';
import { io } from 'socket.io-client';
import { inject } from 'vitest';
import type { TestSocket } from '../support/clients';
import { recordArrivals, servicePost, useTwoProcessCluster } from './cluster-support';

/**
 * Connection state recovery through Redis: a socket that drops for a moment gets the
 * events it missed, even when it comes back on another process, and only after passing
 * the handshake authentication again.
 */
describe('missed events after a short disconnection (connection state recovery)', () => {
  const runId = inject('runId');
  const cluster = useTwoProcessCluster(runId, 'recovery');
  const sockets = cluster.sockets;
  let a: ApiProcess;
  let b: ApiProcess;
  let userCounter = 0;
  const newUser = () => `recovery-user-${process.pid}-${++userCounter}`;

  /** A client that reconnects by itself, like a browser's. */
  function reconnectingClient(url: string, token: string): TestSocket {
    const socket = io(url, {
      transports: ['websocket'],
      auth: { token },
      reconnectionDelay: 200,
      reconnectionDelayMax: 500,
      forceNew: true,
    }) as TestSocket;
    sockets.push(socket);
    return socket;
  }

  /** Cuts the transport as a network blip would (not a clean client disconnect). */
  function blip(socket: TestSocket): Promise<void> {
    const dropped = new Promise<void>((r) => socket.once('disconnect', () => r()));
    socket.io.engine.close();
    return dropped;
  }

  async function sendXp(api: ApiProcess, userId: string, totalXp: number) {
    const res = await servicePost(api, `/realtime/users/${userId}/events`, {
      event: 'xp:gained',
      payload: { amount: 1, source: 'recovery', totalXp },
    });
    expect(res.status).toBeLessThan(300);
  }

  beforeAll(() => {
    ({ a, b } = cluster);
  });

  it('replays what was emitted while the socket was away, once, in order', async () => {
    const userId = newUser();
    const socket = reconnectingClient(a.url, await mintToken(userId));
    const got = recordArrivals(socket, 'xp:gained');
    await waitFor(() => socket.connected, 5_000, 'first connection');
    await sendXp(a, userId, 1);
    await waitFor(() => got.length === 1, 5_000, 'live event');

    // Reconnection waits a few hundred ms: these two are emitted while it is away.
    socket.io.reconnectionDelay(1_000);
    await blip(socket);
    await sendXp(b, userId, 2);
    await sendXp(a, userId, 3);
    await waitFor(() => socket.connected, 10_000, 'reconnection');
    expect(socket.recovered).toBe(true);
    await waitFor(() => got.length >= 3, 5_000, 'missed events');
    await sendXp(b, userId, 4);
    await waitFor(() => got.length >= 4, 5_000, 'live event after recovery');
    expect(got.map((x) => x.payload.totalXp)).toEqual([1, 2, 3, 4]);
  });

  it('recovers on another process, as after a restart behind a load balancer', async () => {
    const userId = newUser();
    const socket = reconnectingClient(a.url, await mintToken(userId));
    const got = recordArrivals(socket, 'xp:gained');
    await waitFor(() => socket.connected, 5_000, 'first connection');
    await sendXp(a, userId, 1);
    await waitFor(() => got.length === 1, 5_000, 'live event');

    socket.io.reconnectionDelay(1_000);
    await blip(socket);
    // The "load balancer" now sends this client to process B.
    (socket.io as unknown as { uri: string }).uri = b.url;
    await sendXp(a, userId, 2);
    await waitFor(() => socket.connected, 10_000, 'reconnection to B');
    expect(socket.recovered).toBe(true);
    await waitFor(() => got.length >= 2, 5_000, 'missed event on B');
    expect(got.map((x) => x.payload.totalXp)).toEqual([1, 2]);
  });

  it('runs the handshake authentication again: a recovering socket with a bad token is refused', async () => {
    const userId = newUser();
    const socket = reconnectingClient(a.url, await mintToken(userId));
    const got = recordArrivals(socket, 'xp:gained');
    await waitFor(() => socket.connected, 5_000, 'first connection');

    socket.io.reconnectionDelay(1_000);
    await blip(socket);
    socket.auth = {
      token: await mintToken(userId, { secret: 'another-secret-that-is-long-enough-0123456789' }),
    };
    const refused = new Promise<Error & { data?: { code?: string } }>((r) =>
      socket.once('connect_error', r),
    );
    await sendXp(a, userId, 1);
    const error = await refused;
    expect(error.data?.code).toBe('TOKEN_INVALID');
    expect(socket.connected).toBe(false);
    expect(got).toHaveLength(0);
    socket.close();
  });
});
