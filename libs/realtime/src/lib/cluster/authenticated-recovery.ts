import { Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { Adapter, Session } from 'socket.io-adapter';
import { userRoom } from '@herald/ws-contracts';
import type { HeraldSocket } from '../gateway/socket-types';

/**
 * Connection state recovery, decided after authentication.
 *
 * Socket.IO restores a session (rooms, `data`, missed packets) in the Socket constructor,
 * from nothing but the `pid` and `offset` the client presents, before any middleware runs:
 * the missed packets are written to the connection at once, whatever the token. So the
 * adapter's `restoreSession` is hidden from Socket.IO (every socket starts fresh) and
 * {@link recoverAuthenticatedSession} calls it from a middleware that runs after the
 * handshake authentication, handing the session back only to the user it belonged to.
 */

type AdapterFactory = (nsp: Namespace) => Adapter;
type RestoreSession = (pid: string, offset: string) => Promise<Session>;

/** Socket.IO's EVENT packet type (socket.io-parser `PacketType.EVENT`). */
const EVENT_PACKET = 2;

/** The real `restoreSession` of each adapter whose recovery was deferred. */
const deferredRestores = new WeakMap<Adapter, RestoreSession>();

const logger = new Logger('Realtime');

/**
 * Wraps an adapter factory (what `server.adapter()` takes) so that Socket.IO's own,
 * pre-authentication recovery finds no session. A plain function, not an arrow: Socket.IO
 * calls the factory with `new`.
 */
export function deferRecoveryUntilAuthenticated(factory: AdapterFactory): AdapterFactory {
  return function authenticatedRecoveryAdapter(nsp: Namespace): Adapter {
    const adapter = factory(nsp);
    deferredRestores.set(adapter, adapter.restoreSession.bind(adapter));
    adapter.restoreSession = () =>
      Promise.reject(new Error('connection state recovery waits for the handshake authentication'));
    return adapter;
  };
}

/** The parts of a Socket that Socket.IO's own recovery sets and that are not public API. */
interface RecoverableSocket {
  pid: string;
  recovered: boolean;
  packet(packet: { type: number; data: unknown[] }): void;
}

/**
 * Whether `socket` asks for a session this namespace can restore: a cluster adapter with
 * recovery, and a `pid` and `offset` in the handshake. When not (every handshake of a single
 * process, every first connection), the recovery middleware lets it on at once rather than
 * through an async call.
 */
export function asksForRecovery(socket: HeraldSocket): boolean {
  if (!deferredRestores.has(socket.nsp.adapter)) return false;
  const { pid, offset } = (socket.handshake.auth ?? {}) as { pid?: unknown; offset?: unknown };
  return typeof pid === 'string' && typeof offset === 'string';
}

/**
 * Hands a persisted session back to an authenticated socket when it belongs to the same
 * user and holds no room the user is not entitled to now: the socket keeps its `pid`
 * (the client sees `recovered === true`) and gets the packets it missed. Otherwise it
 * stays a fresh session: the client then resyncs, as after any new connection.
 *
 * Rooms are not copied from the session: the gateway joins the rooms of the fresh
 * handshake. A session that held a room the user has lost in the meantime is not
 * recovered at all, since its missed packets may come from that room.
 *
 * Never throws: a failed recovery only means a fresh session.
 */
export async function recoverAuthenticatedSession(
  socket: HeraldSocket,
  authorizedRooms: readonly string[],
): Promise<void> {
  const restore = deferredRestores.get(socket.nsp.adapter);
  const { pid, offset } = (socket.handshake.auth ?? {}) as { pid?: unknown; offset?: unknown };
  if (!restore || typeof pid !== 'string' || typeof offset !== 'string') return;
  let session: Session;
  try {
    session = await restore(pid, offset);
  } catch {
    return; // unknown or expired pid, offset gone from the stream, or Redis unavailable
  }
  const userId = socket.data.userId;
  const owner = (session.data as { userId?: unknown } | undefined)?.userId;
  const entitled = new Set([session.sid, userRoom(userId), ...authorizedRooms]);
  if (owner !== userId || !session.rooms.every((room) => entitled.has(room))) {
    logger.warn({
      msg: 'Refused to recover a session: it belongs to another user or to rooms no longer granted',
      userId,
      sameUser: owner === userId,
    });
    return;
  }
  const recoverable = socket as unknown as RecoverableSocket;
  recoverable.pid = session.pid;
  recoverable.recovered = true;
  // Written before CONNECT, exactly where Socket.IO's own recovery writes them: the client
  // delivers them on connect, ahead of `authenticated`.
  for (const data of session.missedPackets) recoverable.packet({ type: EVENT_PACKET, data });
}
