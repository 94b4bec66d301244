import type { Namespace, Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
} from '@herald/ws-contracts';

/** The Socket.IO server, typed by the contract (augmented events included). */
export type HeraldServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type HeraldNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type HeraldSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

/** Untyped view for the few places that forward an event name chosen at run time. */
export interface RawEmitter {
  emit(event: string, ...args: unknown[]): boolean;
}
