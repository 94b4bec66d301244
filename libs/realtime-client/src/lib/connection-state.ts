import type { ErrorCode } from '@herald/ws-contracts';

/**
 * Where the connection is:
 * - `idle`: created, `connect()` not called yet;
 * - `connecting`: first handshake in flight;
 * - `connected`: authenticated and receiving events;
 * - `reconnecting`: lost or refused for a reason that retrying can fix (network, server
 *   restart, expired token being refreshed, rate limit); retries with backoff;
 * - `unauthorized`: the server refused the token and there is no way to get a better one;
 *   give the client a new token (a new client) to continue;
 * - `disconnected`: closed on purpose, by `disconnect()` or by the server.
 */
export type ConnectionStatus =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'unauthorized' | 'disconnected';

/** Why the last transition happened, for humans and for logs. */
export type ConnectionReason =
  | 'initial'
  | 'connect-called'
  | 'handshake-accepted'
  | 'transport-lost'
  | 'server-unreachable'
  | 'handshake-refused'
  | 'token-expired'
  | 'token-refreshed'
  | 'token-refresh-failed'
  | 'server-disconnected'
  | 'client-disconnected';

/** Codes the client itself produces (on top of the server's `ErrorCode`s). */
export const ClientErrorCode = {
  /** No acknowledgement arrived within the timeout. */
  AckTimeout: 'ACK_TIMEOUT',
  /** An emit was attempted while not connected. */
  NotConnected: 'NOT_CONNECTED',
  /** The server could not be reached (network error, server down, refused upgrade). */
  Unreachable: 'SERVER_UNREACHABLE',
  /** The app's refresher threw or returned no token. */
  RefreshFailed: 'TOKEN_REFRESH_FAILED',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export interface ConnectionState {
  status: ConnectionStatus;
  reason: ConnectionReason;
  /** Code of the last failure (server `ErrorCode` or client code); null once connected. */
  errorCode: ErrorCode | ClientErrorCode | null;
  errorMessage: string | null;
  /** Reconnection attempts since the last successful connection. */
  attempt: number;
  /** The user the server authenticated, once `authenticated` arrived. */
  userId: string | null;
  /** Epoch ms of this transition. */
  since: number;
}

export const INITIAL_CONNECTION_STATE: ConnectionState = {
  status: 'idle',
  reason: 'initial',
  errorCode: null,
  errorMessage: null,
  attempt: 0,
  userId: null,
  since: 0,
};
