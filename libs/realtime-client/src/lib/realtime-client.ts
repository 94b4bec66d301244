import { io, type Socket } from 'socket.io-client';
import {
  ClientEvent,
  ErrorCode,
  ServerEvent,
  type ClientEventAck,
  type ClientEventPayloads,
  type ClientToServerEvents,
  type ServerEventPayloads,
  type ServerToClientEvents,
} from '@herald/ws-contracts';
import { backoffDelay, resolveBackoff, type BackoffOptions } from './backoff';
import {
  ClientErrorCode,
  INITIAL_CONNECTION_STATE,
  type ConnectionState,
} from './connection-state';
import { InboxHttp, type FetchLike } from './http';
import { InboxStore, type InboxMutationResult } from './inbox';
import { Listeners } from './listeners';
import { ReceiptBatcher, type ReceiptOptions } from './receipts';
import { readTokenExpiry, refreshDelay } from './token';

export type HeraldSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A token, or a function asked for one before every handshake (so a fresh one is used). */
export type TokenSupplier = string | (() => string | Promise<string>);

export interface RealtimeClientOptions {
  /** Origin of the Herald API, e.g. `https://api.example.com`. Omit in a browser to use the page's origin. */
  url?: string;
  /** Socket.IO endpoint path (WS_PATH on the server). Default `/socket.io/`. */
  path?: string;
  /** Base URL of the HTTP API for the inbox. Default: `url` (or the page's origin). */
  httpUrl?: string;
  token: TokenSupplier;
  /**
   * Returns a new token. When given, the client sends `auth:refresh` shortly before the
   * current token expires, and refreshes then reconnects when the server says TOKEN_EXPIRED.
   */
  refreshToken?: () => Promise<string>;
  /** How long before `exp` to refresh (default 60 s; at most 20% of the remaining life). */
  refreshLeadMs?: number;
  /** `fetch` for the inbox's HTTP calls (default: the global one). */
  fetch?: FetchLike;
  /** Default `['websocket', 'polling']`: WebSocket first, long-polling when it is blocked. */
  transports?: Array<'websocket' | 'polling'>;
  /** Jittered exponential backoff of reconnection attempts. */
  reconnection?: BackoffOptions;
  /** Keep an inbox store in sync (default true). `false` for clients that only listen. */
  inbox?: boolean | { pageSize?: number };
  /** Default acknowledgement timeout of `emitWithAck` (default 10 s). */
  ackTimeoutMs?: number;
  /**
   * Confirm every notification this device gets (live or by resync) with
   * `notification:received`, batched (default true: at most four messages a second). The
   * server records the first receipt as the notification's `deliveredAt`.
   */
  receipts?: boolean | ReceiptOptions;
  /** Connect at once (default true). With `false`, call `connect()`. */
  autoConnect?: boolean;
}

/** What `emitWithAck` resolves to: the server's answer, or a client-side failure. It never throws. */
export type EmitResult<E extends keyof ClientEventPayloads> =
  | ClientEventAck<E>
  | {
      ok: false;
      error: {
        code: typeof ClientErrorCode.AckTimeout | typeof ClientErrorCode.NotConnected;
        message: string;
      };
    };

export type ServerEventHandler<E extends keyof ServerEventPayloads> = (
  payload: ServerEventPayloads[E],
) => void;

/** The loose shape of a socket used for generic emits; the public API stays typed. */
interface LooseSocket {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
}

const AUTH_REFUSALS = new Set<string>([ErrorCode.TokenMissing, ErrorCode.TokenInvalid]);
/** Consecutive refused handshakes after which refreshing is pointless. */
const MAX_AUTH_RETRIES = 2;

/**
 * A typed Herald client for browsers and Node: one Socket.IO connection with an explicit
 * state machine, token handling, and (optionally) an inbox kept in sync.
 */
export class RealtimeClient {
  readonly socket: HeraldSocket;
  /** The inbox, or null when created with `inbox: false`. */
  readonly inbox: InboxStore | null;

  private state: ConnectionState = INITIAL_CONNECTION_STATE;
  private readonly stateListeners = new Listeners<ConnectionState>();
  private readonly handlers = new Map<string, Set<(payload: never) => void>>();
  private readonly backoff;
  private readonly ackTimeoutMs: number;
  private readonly refreshLeadMs: number;

  /** Last token the app's refresher returned; used when it outlives the supplier's. */
  private refreshedToken: string | null = null;
  /** Token sent with the current/last handshake (also used for HTTP). */
  private currentToken: string | null = null;
  private everConnected = false;
  private tokenExpiredNotice = false;
  private authRetries = 0;
  private refusalAttempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private readonly receipts: ReceiptBatcher | null;

  constructor(private readonly options: RealtimeClientOptions) {
    this.backoff = resolveBackoff(options.reconnection);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.refreshLeadMs = options.refreshLeadMs ?? 60_000;

    const socketOptions = {
      path: options.path ?? '/socket.io/',
      transports: options.transports ?? ['websocket', 'polling'],
      // WebSocket first; if a proxy blocks it, fall back to long-polling instead of giving up.
      tryAllTransports: true,
      autoConnect: false,
      // Each client owns its connection: never share a Manager with another client (token).
      forceNew: true,
      reconnection: true,
      reconnectionDelay: this.backoff.minMs,
      reconnectionDelayMax: this.backoff.maxMs,
      randomizationFactor: this.backoff.jitter,
      // Asked before every handshake, reconnections included, so a fresh token is used.
      auth: (cb: (data: object) => void) => {
        this.resolveToken().then(
          (token) => cb({ token }),
          () => cb({}),
        );
      },
    };
    this.socket = (
      options.url ? io(options.url, socketOptions) : io(socketOptions)
    ) as HeraldSocket;

    this.receipts =
      options.receipts === false
        ? null
        : new ReceiptBatcher(
            async (ids) =>
              (await this.emitWithAck(ClientEvent.Received, { notificationIds: ids })).ok,
            typeof options.receipts === 'object' ? options.receipts : {},
          );
    this.inbox = options.inbox === false ? null : this.createInbox(options);
    this.wireSocket();
    if (options.autoConnect !== false) this.connect();
  }

  // ---- connection -----------------------------------------------------------------------

  getState = (): ConnectionState => this.state;

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe = (listener: (state: ConnectionState) => void): (() => void) =>
    this.stateListeners.add(listener);

  connect(): void {
    if (this.disposed || this.socket.connected || this.socket.active) return;
    this.clearRetry();
    this.setState({
      status: this.everConnected ? 'reconnecting' : 'connecting',
      reason: 'connect-called',
    });
    this.socket.connect();
  }

  /** Closes on purpose; `connect()` opens again. */
  disconnect(): void {
    this.clearRetry();
    this.clearRefresh();
    if (this.socket.connected || this.socket.active) this.socket.disconnect();
    this.setState({
      status: 'disconnected',
      reason: 'client-disconnected',
      errorCode: null,
      errorMessage: null,
    });
  }

  /** Disconnects and releases every listener. The client cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disconnect();
    this.disposed = true;
    this.socket.removeAllListeners();
    this.socket.offAny();
    this.socket.io.removeAllListeners();
    this.handlers.clear();
    this.stateListeners.clear();
    this.inbox?.dispose();
    this.receipts?.dispose();
  }

  /** The token used for the current connection (null before the first handshake). */
  get token(): string | null {
    return this.currentToken;
  }

  // ---- events -----------------------------------------------------------------------------

  /** Subscribes to a server event; returns the unsubscribe function. */
  on<E extends keyof ServerEventPayloads>(event: E, handler: ServerEventHandler<E>): () => void {
    let set = this.handlers.get(event as string);
    if (!set) this.handlers.set(event as string, (set = new Set()));
    const entry = handler as (payload: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /**
   * Sends a client event and waits for its acknowledgement. Resolves to the server's
   * `{ ok: true, ... }` / `{ ok: false, error }`, or to NOT_CONNECTED / ACK_TIMEOUT.
   */
  async emitWithAck<E extends keyof ClientEventPayloads>(
    event: E,
    payload: ClientEventPayloads[E],
    options: { timeout?: number } = {},
  ): Promise<EmitResult<E>> {
    if (!this.socket.connected) {
      return { ok: false, error: { code: ClientErrorCode.NotConnected, message: 'not connected' } };
    }
    const timeout = options.timeout ?? this.ackTimeoutMs;
    try {
      const loose = this.socket as unknown as LooseSocket;
      return (await loose.timeout(timeout).emitWithAck(event as string, payload)) as EmitResult<E>;
    } catch {
      return {
        ok: false,
        error: {
          code: ClientErrorCode.AckTimeout,
          message: `no acknowledgement for ${String(event)} within ${timeout} ms`,
        },
      };
    }
  }

  // ---- internals: socket wiring -----------------------------------------------------------

  private wireSocket(): void {
    const socket = this.socket;

    socket.on('connect', () => {
      this.clearRetry();
      this.everConnected = true;
      this.authRetries = 0;
      this.refusalAttempt = 0;
      this.tokenExpiredNotice = false;
      this.setState({
        status: 'connected',
        reason: this.state.reason === 'token-expired' ? 'token-refreshed' : 'handshake-accepted',
        errorCode: null,
        errorMessage: null,
        attempt: 0,
      });
      this.scheduleRefresh();
      this.receipts?.flush();
      void this.inbox?.resync();
    });

    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (socket.active) {
        // Transport-level failure: Socket.IO's Manager retries with the backoff above.
        this.setState({
          status: this.everConnected ? 'reconnecting' : 'connecting',
          reason: 'server-unreachable',
          errorCode: ClientErrorCode.Unreachable,
          errorMessage: error.message,
        });
        return;
      }
      const code = error.data?.code;
      if (code === ErrorCode.TokenExpired) {
        void this.recoverFromExpiry(error.message);
      } else if (code && AUTH_REFUSALS.has(code)) {
        this.setState({
          status: 'unauthorized',
          reason: 'handshake-refused',
          errorCode: code as ErrorCode,
          errorMessage: error.message,
        });
      } else {
        // Refused for a reason retrying can fix (rate limit, a dependency down): back off.
        this.scheduleRetry(code ?? ClientErrorCode.Unreachable, error.message);
      }
    });

    socket.on('disconnect', (reason) => {
      this.clearRefresh();
      if (reason === 'io client disconnect') return; // disconnect() already set the state
      if (reason === 'io server disconnect') {
        if (this.tokenExpiredNotice) {
          void this.recoverFromExpiry('token expired');
        } else {
          this.setState({ status: 'disconnected', reason: 'server-disconnected' });
        }
        return;
      }
      this.setState({ status: 'reconnecting', reason: 'transport-lost', errorMessage: reason });
    });

    socket.io.on('reconnect_attempt', (attempt) => {
      if (!socket.connected) this.setState({ status: 'reconnecting', attempt });
    });

    socket.onAny((event: string, payload: unknown) => this.dispatch(event, payload));
  }

  private dispatch(event: string, payload: unknown): void {
    if (event === ServerEvent.Authenticated) {
      const userId = (payload as ServerEventPayloads['authenticated']).userId;
      this.setState({ userId });
    } else if (event === ServerEvent.Error) {
      if ((payload as ServerEventPayloads['error']).code === ErrorCode.TokenExpired) {
        this.tokenExpiredNotice = true; // the server disconnects us next
      }
    }
    if (event === ServerEvent.NotificationNew)
      this.receipts?.add([(payload as ServerEventPayloads['notification:new']).notification.id]);
    if (this.inbox) this.feedInbox(this.inbox, event, payload);
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        (handler as (p: unknown) => void)(payload);
      } catch (error) {
        // One faulty handler must not starve the others (or the inbox) of events.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private feedInbox(inbox: InboxStore, event: string, payload: unknown): void {
    switch (event) {
      case ServerEvent.NotificationNew:
        return inbox.onNew(payload as ServerEventPayloads['notification:new']);
      case ServerEvent.NotificationRead:
        return inbox.onRead(payload as ServerEventPayloads['notification:read']);
      case ServerEvent.NotificationDeleted:
        return inbox.onDeleted(payload as ServerEventPayloads['notification:deleted']);
      case ServerEvent.NotificationUnreadCount:
        return inbox.onUnreadCount(payload as ServerEventPayloads['notification:unread_count']);
    }
  }

  // ---- internals: tokens ------------------------------------------------------------------

  private async resolveToken(): Promise<string> {
    const { token } = this.options;
    const supplied = typeof token === 'function' ? await token() : token;
    let chosen = supplied;
    if (this.refreshedToken) {
      const suppliedExp = readTokenExpiry(supplied) ?? 0;
      const refreshedExp = readTokenExpiry(this.refreshedToken) ?? 0;
      if (refreshedExp > suppliedExp) chosen = this.refreshedToken;
    }
    this.currentToken = chosen;
    return chosen;
  }

  /** The server said TOKEN_EXPIRED: refresh and reconnect, or give up as unauthorized. */
  private async recoverFromExpiry(message: string): Promise<void> {
    this.tokenExpiredNotice = false;
    const refresh = this.options.refreshToken;
    if (!refresh || this.authRetries >= MAX_AUTH_RETRIES) {
      this.setState({
        status: 'unauthorized',
        reason: 'token-expired',
        errorCode: ErrorCode.TokenExpired,
        errorMessage: message,
      });
      return;
    }
    this.authRetries++;
    this.setState({
      status: 'reconnecting',
      reason: 'token-expired',
      errorCode: ErrorCode.TokenExpired,
      errorMessage: message,
    });
    try {
      const fresh = await refresh();
      if (!fresh) throw new Error('the refresher returned no token');
      this.refreshedToken = fresh;
    } catch (error) {
      this.setState({
        status: 'unauthorized',
        reason: 'token-refresh-failed',
        errorCode: ClientErrorCode.RefreshFailed,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    if (!this.disposed && this.state.status === 'reconnecting') this.socket.connect();
  }

  /** While connected, extend the session with `auth:refresh` before the token expires. */
  private scheduleRefresh(): void {
    this.clearRefresh();
    const refresh = this.options.refreshToken;
    const expiresAt = this.currentToken ? readTokenExpiry(this.currentToken) : null;
    if (!refresh || expiresAt === null) return;
    const delay = refreshDelay(expiresAt, Date.now(), this.refreshLeadMs);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refreshInPlace(refresh);
    }, delay);
  }

  private async refreshInPlace(refresh: () => Promise<string>): Promise<void> {
    let fresh: string;
    try {
      fresh = await refresh();
    } catch {
      return; // the server will end the session at expiry; recoverFromExpiry retries then
    }
    if (!fresh || !this.socket.connected) return;
    const answer = await this.emitWithAck(ClientEvent.AuthRefresh, { token: fresh });
    if (answer.ok) {
      this.refreshedToken = fresh;
      this.currentToken = fresh;
      this.scheduleRefresh();
    }
  }

  private clearRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  // ---- internals: retries after a refused handshake ------------------------------------

  private scheduleRetry(code: string, message: string): void {
    const delay = backoffDelay(this.refusalAttempt++, this.backoff);
    this.setState({
      status: this.everConnected ? 'reconnecting' : 'connecting',
      reason: 'handshake-refused',
      errorCode: code as ErrorCode,
      errorMessage: message,
      attempt: this.refusalAttempt,
    });
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.disposed && !this.socket.active) this.socket.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  // ---- internals: inbox and state ------------------------------------------------------

  private createInbox(options: RealtimeClientOptions): InboxStore {
    const base = (options.httpUrl ?? options.url ?? '').replace(/\/+$/, '');
    const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const http = new InboxHttp(base, () => this.tokenForHttp(), fetchImpl);
    const pageSize = typeof options.inbox === 'object' ? (options.inbox.pageSize ?? 50) : 50;
    const viaSocketOrHttp = async <E extends keyof ClientEventPayloads>(
      event: E,
      payload: ClientEventPayloads[E],
      fallback: () => Promise<unknown>,
    ): Promise<InboxMutationResult & { unreadCount?: number }> => {
      const answer = await this.emitWithAck(event, payload);
      if (answer.ok) return answer as { ok: true; unreadCount?: number };
      if (answer.error.code !== ClientErrorCode.NotConnected) return answer;
      // Offline: the HTTP API does the same, and the events reach the other devices.
      try {
        await fallback();
        return { ok: true };
      } catch (error) {
        return { ok: false, error: { code: 'HTTP_ERROR', message: String(error) } };
      }
    };
    return new InboxStore(
      http,
      {
        markRead: (id) =>
          viaSocketOrHttp(ClientEvent.MarkRead, { notificationId: id }, () => http.markRead(id)),
        markAllRead: () => viaSocketOrHttp(ClientEvent.MarkAllRead, {}, () => http.markAllRead()),
        remove: (id) =>
          viaSocketOrHttp(ClientEvent.Delete, { notificationId: id }, () => http.remove(id)),
        // Loaded by resync or loadMore: what no device confirmed yet is confirmed now.
        loaded: (items) =>
          this.receipts?.add(items.filter((n) => n.deliveredAt === null).map((n) => n.id)),
      },
      pageSize,
    );
  }

  private async tokenForHttp(): Promise<string> {
    return this.currentToken ?? (await this.resolveToken());
  }

  private setState(patch: Partial<ConnectionState>): void {
    if (this.disposed) return;
    const next: ConnectionState = { ...this.state, ...patch, since: Date.now() };
    if (next.status === 'unauthorized' || next.status === 'disconnected') this.clearRefresh();
    this.state = next;
    this.stateListeners.emit(next);
  }
}

/** Creates a client (connecting at once unless `autoConnect: false`). */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  return new RealtimeClient(options);
}
