import type { ErrorDetail } from './errors';
import type { ClientEventPayloads, ClientEventResults, ServerEventPayloads } from './payloads';

/** Answer of every client → server event's acknowledgement callback. */
export type AckResult<T extends object = object> =
  ({ ok: true } & T) | { ok: false; error: ErrorDetail };

export type AckCallback<T extends object = object> = (result: AckResult<T>) => void;

type ResultOf<E> = E extends keyof ClientEventResults ? ClientEventResults[E] : object;

/** Socket.IO typed map for `Server<…>` / `Socket<…>` on the server, reversed on the client. */
export type ServerToClientEvents = {
  [E in keyof ServerEventPayloads]: (payload: ServerEventPayloads[E]) => void;
};

export type ClientToServerEvents = {
  [E in keyof ClientEventPayloads]: (
    payload: ClientEventPayloads[E],
    ack: AckCallback<ResultOf<E>>,
  ) => void;
};

/** Messages between Herald processes (through the adapter's serverSideEmit). */
export interface InterServerEvents {
  'herald:ping': (processId: string) => void;
}

/** What the handshake authentication stores on `socket.data`. */
export interface SocketData {
  userId: string;
  email: string | null;
  role: string | null;
  /** Epoch milliseconds when the current token expires, or null for no `exp`. */
  tokenExpiresAt: number | null;
}

export type ServerEventArgs<E extends keyof ServerEventPayloads> = ServerEventPayloads[E];
export type ClientEventAck<E extends keyof ClientEventPayloads> = AckResult<ResultOf<E>>;
