import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@herald/ws-contracts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ConnectOptions {
  token?: string;
  /** Send the token as `Authorization: Bearer` instead of `auth.token` (server-side clients). */
  viaHeader?: boolean;
  transports?: ('websocket' | 'polling')[];
  origin?: string;
  path?: string;
}

/** A Socket.IO client with no automatic reconnection, so tests see every refusal as it is. */
export function createSocket(url: string, options: ConnectOptions = {}): TestSocket {
  const extraHeaders: Record<string, string> = {};
  if (options.viaHeader && options.token) extraHeaders['authorization'] = `Bearer ${options.token}`;
  if (options.origin) extraHeaders['origin'] = options.origin;
  return io(url, {
    path: options.path ?? '/socket.io/',
    transports: options.transports ?? ['websocket'],
    auth: options.viaHeader || options.token === undefined ? {} : { token: options.token },
    extraHeaders,
    reconnection: false,
    forceNew: true,
    timeout: 5_000,
  });
}

/** Connects and resolves once `authenticated` arrived; rejects with the connect_error. */
export function connectAuthenticated(
  url: string,
  options: ConnectOptions = {},
): Promise<TestSocket> {
  const socket = createSocket(url, options);
  return new Promise((resolve, reject) => {
    socket.once('authenticated', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Resolves with the connect_error a refused handshake produces. */
export function expectRefusal(
  url: string,
  options: ConnectOptions = {},
): Promise<Error & { data?: { code?: string } }> {
  const socket = createSocket(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('connection was accepted'));
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error as Error & { data?: { code?: string } });
    });
  });
}

/** Waits for the next `event` on a socket, or fails after `timeoutMs`. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: TestSocket,
  event: E,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${event}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    (socket as unknown as Socket).once(
      event as string,
      (payload: Parameters<ServerToClientEvents[E]>[0]) => {
        clearTimeout(timer);
        resolve(payload);
      },
    );
  });
}

/** Records every payload of `event`; read `.items` later to assert exactly-once delivery. */
export function recordEvents<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E) {
  const items: Parameters<ServerToClientEvents[E]>[0][] = [];
  (socket as unknown as Socket).on(
    event as string,
    (payload: Parameters<ServerToClientEvents[E]>[0]) => items.push(payload),
  );
  return { items };
}
