import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '@herald/ws-contracts';
import { clientAddress, rateLimitKeyFor } from './client-address';

/** The slice of an Engine.IO connection this limiter uses. */
interface EngineConnection {
  readonly request: IncomingMessage;
  write(data: string): unknown;
  close(): unknown;
  on(event: 'close', listener: (this: EngineConnection) => void): unknown;
}

/** The slice of the Engine.IO server this limiter uses. */
interface EngineServer {
  on(event: 'connection', listener: (connection: EngineConnection) => void): unknown;
}

export interface EngineSessionLimiterOptions {
  /** Engine.IO connections one client address may hold open at once. */
  maxSocketsPerAddress: number;
  /**
   * Takes one handshake from the per-address handshake limit; false when it is spent. The
   * same limit the Socket.IO handshake uses, so an Engine.IO session costs what a CONNECT
   * does. Answers at once from counters in this process, asynchronously from a limiter kept
   * in Redis (or throws, when that limiter fails: the session is then let on).
   */
  takeHandshake(key: string): boolean | Promise<boolean>;
  /** Told of every session refused after it opened (counted like a refused handshake). */
  onRefused?(): void;
}

export const TOO_MANY_SOCKETS_MESSAGE = 'Too many open connections from this address';
export const TOO_MANY_HANDSHAKES_MESSAGE = 'Too many connection attempts; retry shortly';

/**
 * The charge of each open Engine.IO connection whose opening took a handshake: true, or a
 * promise while a limiter kept in Redis decides. A connection the limit refused is closed,
 * and one whose limiter failed is charged at its CONNECT instead: neither is kept here.
 */
const sessionCharges = new WeakMap<object, true | Promise<boolean>>();

/**
 * True, once, for an Engine.IO connection whose opening took a handshake from the
 * per-address limit: the Socket.IO handshake middleware then lets its first CONNECT through
 * without charging the same client twice. A promise when the charge is still being decided
 * (a limiter in Redis), so a CONNECT that arrives quickly is not charged again.
 */
export function claimPrepaidHandshake(connection: object | undefined): boolean | Promise<boolean> {
  const charge = connection === undefined ? undefined : sessionCharges.get(connection);
  if (charge === undefined) return false;
  sessionCharges.delete(connection as object);
  return charge;
}

/** Where a request keeps its key once worked out (its address and headers do not change). */
const SESSION_KEY = Symbol('herald.sessionKey');

/**
 * The key a request is counted under: its client address, an IPv6 one by its /64. Worked
 * out once per request: an upgrade asks for it when its Origin and cap are checked, again in
 * `allowRequest`, and once more when its session opens.
 */
export function sessionKeyFor(request: IncomingMessage): string {
  const keyed = request as IncomingMessage & { [SESSION_KEY]?: string };
  let key = keyed[SESSION_KEY];
  if (key === undefined) {
    key = rateLimitKeyFor(
      clientAddress(request.socket?.remoteAddress, request.headers['x-forwarded-for']),
    );
    keyed[SESSION_KEY] = key;
  }
  return key;
}

/**
 * Limits Engine.IO sessions per client address, below Socket.IO: a client that opens
 * sessions and never sends CONNECT never reaches the handshake middleware, so without this
 * each such session would live until Socket.IO's connect timeout (45 s), as many as it likes.
 *
 * - A cap on open sessions per address (`maxSocketsPerAddress`): a new session past it is
 *   refused before Engine.IO creates it, with 429 (polling, and the websocket upgrade when
 *   RealtimeIoAdapter answers it) or Engine.IO's own error; a session that slipped past the
 *   check in a race is closed at once with a RATE_LIMITED CONNECT_ERROR.
 * - Every session that opens takes a handshake from the per-address handshake limit; over
 *   the limit it gets a RATE_LIMITED CONNECT_ERROR (what a refused Socket.IO handshake gets,
 *   so clients back off the same way) and is closed.
 */
export class EngineSessionLimiter {
  private readonly open = new Map<string, number>();
  /** The key each open connection is counted under (its request is let go of later). */
  private readonly keys = new WeakMap<EngineConnection, string>();
  /** One `close` listener for every connection (`this` is the connection), not a closure each. */
  private readonly onClose = this.createCloseListener();

  constructor(private readonly options: EngineSessionLimiterOptions) {}

  /** Open Engine.IO sessions of the address `key` (for tests and metrics). */
  openSessions(key: string): number {
    return this.open.get(key) ?? 0;
  }

  /** Whether a new session from this request would exceed the cap. */
  isOverCap(request: IncomingMessage): boolean {
    return this.openSessions(sessionKeyFor(request)) >= this.options.maxSocketsPerAddress;
  }

  /**
   * Engine.IO `allowRequest` step for a new session: refuses one past the cap. On polling it
   * answers 429 with a JSON body itself (Engine.IO would say 403); returns the refusal
   * message, or undefined to let the request on.
   */
  refuseOverCap(request: IncomingMessage & { res?: ServerResponse }): string | undefined {
    if (!this.isOverCap(request)) return undefined;
    const response = request.res;
    if (response && !response.headersSent) {
      const body = JSON.stringify({
        code: ErrorCode.RateLimited,
        message: TOO_MANY_SOCKETS_MESSAGE,
      });
      response.writeHead(429, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Retry-After': '1',
      });
      response.end(body);
    }
    return TOO_MANY_SOCKETS_MESSAGE;
  }

  /** Counts every Engine.IO session of `engine` for as long as it is open. */
  track(engine: EngineServer): void {
    engine.on('connection', (connection) => this.onConnection(connection));
  }

  private onConnection(connection: EngineConnection): void {
    const key = sessionKeyFor(connection.request);
    const count = this.openSessions(key) + 1;
    this.open.set(key, count);
    this.keys.set(connection, key);
    connection.on('close', this.onClose);
    if (count > this.options.maxSocketsPerAddress) {
      this.refuse(connection, TOO_MANY_SOCKETS_MESSAGE);
      return;
    }
    this.charge(connection, key);
  }

  /** Takes the session's handshake from the per-address limit, at once when it can. */
  private charge(connection: EngineConnection, key: string): void {
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.options.takeHandshake(key);
    } catch {
      return; // A limiter that cannot answer lets the session on; its CONNECT is charged itself.
    }
    if (verdict === true) {
      sessionCharges.set(connection, true);
    } else if (verdict === false) {
      this.refuse(connection, TOO_MANY_HANDSHAKES_MESSAGE);
    } else {
      const charge = verdict.then(
        (allowed) => {
          if (!allowed) this.refuse(connection, TOO_MANY_HANDSHAKES_MESSAGE);
          // Settled: a CONNECT from now on finds the answer without waiting for a promise.
          if (sessionCharges.get(connection) === charge) {
            if (allowed) sessionCharges.set(connection, true);
            else sessionCharges.delete(connection);
          }
          return allowed;
        },
        () => {
          if (sessionCharges.get(connection) === charge) sessionCharges.delete(connection);
          return false;
        },
      );
      sessionCharges.set(connection, charge);
    }
  }

  private createCloseListener(): (this: EngineConnection) => void {
    const { open, keys } = this;
    return function onClose(this: EngineConnection) {
      const key = keys.get(this);
      if (key === undefined) return; // closed before (Engine.IO says `close` once)
      keys.delete(this);
      const left = (open.get(key) ?? 0) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    };
  }

  /**
   * A Socket.IO CONNECT_ERROR for the main namespace (`4` + JSON, inside an Engine.IO
   * message), then close: the client reports `connect_error` with `data.code` RATE_LIMITED.
   * Engine.IO flushes the packet before it closes the transport.
   */
  private refuse(connection: EngineConnection, message: string): void {
    connection.write(`4${JSON.stringify({ message, data: { code: ErrorCode.RateLimited } })}`);
    connection.close();
    this.options.onRefused?.();
  }
}
