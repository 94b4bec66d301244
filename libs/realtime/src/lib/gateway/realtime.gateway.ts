import { Inject, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayInit } from '@nestjs/websockets';
import {
  ClientEvent,
  clientEventSchemas,
  ErrorCode,
  HeraldError,
  ServerEvent,
  userRoom,
  type AckResult,
  type ClientEventResults,
  type ErrorDetail,
} from '@herald/ws-contracts';
import { TokenVerifier } from '../auth/token-verifier';
import { TokenRevocations } from '../revocation/token-revocations';
import { CLUSTER_BACKEND, type ClusterBackend } from '../cluster/cluster-backend';
import { toErrorDetail } from '../errors';
import { RealtimeEventRegistry, type ClientEventRegistration } from '../event-registry';
import { describeIssues } from '../http/zod-validation.pipe';
import { TokenBucket } from '../rate-limit/token-bucket';
import { REALTIME_OPTIONS, type ResolvedRealtimeOptions } from '../realtime.options';
import { RealtimeStats } from '../realtime-stats';
import { ExpirySchedule } from './expiry-schedule';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { isRealtimeServer, listenToConnections } from './realtime-io.adapter';
import { SocketServerRef } from './socket-server.ref';
import type { HeraldServer, HeraldSocket } from './socket-types';

/** A flooding client without acknowledgements hears about it at most this often. */
const RATE_NOTICE_INTERVAL_MS = 1_000;

/**
 * Per-socket state of a socket that sent something, made on its first client event: an idle
 * socket keeps none (its listeners are shared functions, its token deadline sits in the
 * gateway's one ExpirySchedule).
 */
interface Session {
  readonly bucket: TokenBucket;
  lastRateNotice: number;
}

type Ack = (result: AckResult) => void;

/**
 * The Socket.IO gateway: what happens to an authenticated socket from connection to
 * disconnection. Authentication itself already happened in HandshakeAuthenticator.
 *
 * Client events are dispatched by `socket.onAny` rather than `@SubscribeMessage`, so one
 * path validates, rate-limits, calls the registered handler and maps every exception to
 * `{ ok: false, error: { code, message } }` (global Nest pipes and filters never reach
 * gateways; this is the gateway's single exception mapping).
 */
@WebSocketGateway()
export class RealtimeGateway
  implements OnGatewayInit<HeraldServer>, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('Realtime');
  private misconfigured = false;
  private readonly sessions = new WeakMap<HeraldSocket, Session>();
  /** Sockets by the deadline they are disconnected at: token expiry plus the tolerance. */
  private readonly expiries = new ExpirySchedule<HeraldSocket>((socket) => {
    this.stats.armedExpiryTimers = this.expiries.size;
    this.expire(socket);
  });
  /**
   * The client-event listener every socket shares (`this` is the socket, as Socket.IO calls
   * it): a closure per socket would outlive the handshake on every idle connection.
   */
  private readonly onClientEvent = this.createClientEventListener();
  /** The `disconnect` listener every socket shares, like `onClientEvent`. */
  private readonly onDisconnect = this.createDisconnectListener();

  constructor(
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    @Inject(HandshakeAuthenticator) private readonly handshake: HandshakeAuthenticator,
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(SocketServerRef) private readonly serverRef: SocketServerRef,
    @Inject(CLUSTER_BACKEND) private readonly backend: ClusterBackend,
    @Inject(RealtimeStats) private readonly stats: RealtimeStats,
    @Inject(TokenRevocations) private readonly revocations: TokenRevocations,
  ) {}

  afterInit(server: HeraldServer): void {
    if (!isRealtimeServer(server)) {
      // Without the adapter there is no handshake authentication: refuse every socket now,
      // and fail start-up in onModuleInit (an exception thrown here would be swallowed).
      server.use((_socket, next) => next(new Error('Server misconfigured')));
      this.misconfigured = true;
      return;
    }
    this.serverRef.set(server);
    // Connections come straight from Socket.IO, not through Nest's per-client wiring.
    listenToConnections(server, (socket) => this.setUp(socket));
  }

  onModuleInit(): void {
    if (this.misconfigured) {
      throw new Error(
        'RealtimeIoAdapter is not installed: call app.useWebSocketAdapter(new RealtimeIoAdapter(app)) before app.init()/listen()',
      );
    }
  }

  /** Named apart from Nest's `handleConnection`, so Nest never subscribes it as well. */
  private setUp(socket: HeraldSocket): void {
    const result = this.handshake.takeResult(socket);
    if (!result) {
      // Cannot happen while the middleware is installed; never serve a socket it did not see.
      socket.disconnect(true);
      return;
    }
    releaseHandshakeRequest(socket);
    releaseHandshakeToken(socket);
    // Listeners first, synchronously: the client may send as soon as it is connected.
    socket.on('disconnect', this.onDisconnect);
    listenToEveryEvent(socket, this.onClientEvent);
    this.scheduleExpiry(socket);
    this.welcome(socket, result.rooms).catch((error: unknown) => {
      // A socket we could not set up must not linger half-joined (nor crash the process).
      this.logger.error({
        msg: 'Could not set up a connection',
        userId: socket.data.userId,
        err: error,
      });
      if (socket.connected) {
        socket.emit(ServerEvent.Error, toErrorDetail(error));
        socket.disconnect(true);
      }
    });
  }

  private tearDown(socket: HeraldSocket): void {
    this.disarmExpiry(socket);
    void this.forget(socket);
  }

  async onApplicationShutdown(): Promise<void> {
    this.expiries.clear();
    this.stats.armedExpiryTimers = 0;
    this.serverRef.clear();
    await this.backend.close();
  }

  /** Presence, rooms, `authenticated`, then the application's connect hooks. */
  private async welcome(socket: HeraldSocket, rooms: string[]): Promise<void> {
    const { userId, email } = socket.data;
    try {
      await this.backend.presence.add(userId, socket.id);
    } catch (error) {
      this.logger.error({ msg: 'Could not record presence', userId, err: error });
    }
    if (!socket.connected) {
      await this.forget(socket);
      return;
    }
    // Joining after presence and right before `authenticated` means no event can reach the
    // socket ahead of `authenticated`, and presence already counts it when the client hears.
    // The in-memory adapter joins synchronously; only an asynchronous adapter is awaited.
    const joined: Promise<void> | void = socket.join([userRoom(userId), ...rooms]);
    if (joined !== undefined) await joined;
    socket.emit(ServerEvent.Authenticated, { success: true, userId, email });
    const user = { userId, email, role: socket.data.role, expiresAt: socket.data.tokenExpiresAt };
    await this.registry.runConnectHooks(user, socket.id, (error) => {
      const detail = toErrorDetail(error);
      this.logger.error({ msg: 'A connect hook failed', userId, code: detail.code, err: error });
      if (socket.connected) socket.emit(ServerEvent.Error, detail);
    });
  }

  private async forget(socket: HeraldSocket): Promise<void> {
    const userId = socket.data?.userId;
    if (!userId) return;
    try {
      await this.backend.presence.remove(userId, socket.id);
    } catch (error) {
      this.logger.error({ msg: 'Could not clear presence', userId, err: error });
    }
  }

  // ---- token lifetime ---------------------------------------------------------------

  /**
   * Disconnects the socket when its token expires (plus the clock tolerance the handshake
   * allowed, so a just-accepted token is not cut at once), after telling the client why.
   */
  private scheduleExpiry(socket: HeraldSocket): void {
    // An auth:refresh verified after its socket went away must not schedule a socket that
    // would then stay in memory until the token expires.
    if (socket.disconnected) return;
    const deadline = this.expiryDeadline(socket);
    if (deadline === undefined) return;
    if (deadline <= Date.now()) {
      this.expire(socket);
      return;
    }
    this.expiries.schedule(socket, deadline);
    this.stats.armedExpiryTimers = this.expiries.size;
  }

  /** Takes the socket off the schedule; its token must still be the one it was scheduled for. */
  private disarmExpiry(socket: HeraldSocket): void {
    const deadline = this.expiryDeadline(socket);
    if (deadline === undefined) return;
    this.expiries.cancel(socket, deadline);
    this.stats.armedExpiryTimers = this.expiries.size;
  }

  private expiryDeadline(socket: HeraldSocket): number | undefined {
    const expiresAt = socket.data?.tokenExpiresAt;
    if (expiresAt === null || expiresAt === undefined) return undefined;
    return expiresAt + this.verifier.clockToleranceMs;
  }

  private expire(socket: HeraldSocket): void {
    if (!socket.connected) return;
    this.stats.recordTokenExpiry();
    socket.emit(
      ServerEvent.Error,
      new HeraldError(ErrorCode.TokenExpired, 'Authentication token has expired').toDetail(),
    );
    socket.disconnect(true);
  }

  private async refresh(
    socket: HeraldSocket,
    token: string,
  ): Promise<ClientEventResults['auth:refresh']> {
    const user = await this.verifier.verify(token);
    if (user.userId !== socket.data.userId) {
      throw new HeraldError(ErrorCode.Forbidden, 'auth:refresh needs a token of the same user');
    }
    // A token issued before the user's revocation must not extend a session either.
    await this.revocations.assertNotRevoked(user.userId, token);
    this.disarmExpiry(socket);
    socket.data = {
      ...socket.data,
      email: user.email,
      role: user.role,
      tokenExpiresAt: user.expiresAt,
    };
    this.scheduleExpiry(socket);
    return {
      userId: user.userId,
      expiresAt: user.expiresAt === null ? null : new Date(user.expiresAt).toISOString(),
    };
  }

  private createDisconnectListener(): (this: HeraldSocket) => void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- Socket.IO binds `this` to the socket
    const gateway = this;
    return function onDisconnect(this: HeraldSocket) {
      gateway.tearDown(this);
    };
  }

  // ---- client → server events --------------------------------------------------------

  private createClientEventListener(): (this: HeraldSocket, ...args: unknown[]) => void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- Socket.IO binds `this` to the socket
    const gateway = this;
    return function onClientEvent(this: HeraldSocket, event: unknown, ...args: unknown[]) {
      void gateway.dispatch(this, gateway.sessionOf(this), event as string, args);
    };
  }

  /** The socket's rate budget and notice time, made when it first sends something. */
  private sessionOf(socket: HeraldSocket): Session {
    let session = this.sessions.get(socket);
    if (!session) {
      session = {
        bucket: new TokenBucket({
          capacity: this.options.limits.eventBurst,
          refillPerSecond: this.options.limits.eventsPerSecond,
        }),
        lastRateNotice: 0,
      };
      this.sessions.set(socket, session);
    }
    return session;
  }

  /** `event` is a string or a number: the Socket.IO parser accepts numeric event names too. */
  private async dispatch(
    socket: HeraldSocket,
    session: Session,
    event: string,
    args: unknown[],
  ): Promise<void> {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
    try {
      if (!session.bucket.take()) {
        throw new HeraldError(ErrorCode.RateLimited, 'Too many events; slow down');
      }
      const registration = this.resolve(event);
      if (!registration) {
        if (!ack) return; // An unknown event without an acknowledgement is ignored.
        throw new HeraldError(
          ErrorCode.UnknownEvent,
          `Unknown event "${String(event).slice(0, 64)}"`,
        );
      }
      const parsed = registration.schema.safeParse(payload);
      if (!parsed.success) {
        throw new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', {
          details: describeIssues(parsed.error),
        });
      }
      const result = await this.run(socket, event, registration, parsed.data);
      this.stats.recordClientEvent('ok');
      ack?.({ ok: true, ...(result ?? {}) });
    } catch (error) {
      this.answerError(socket, session, event, error, ack);
    }
  }

  private resolve(event: string): ClientEventRegistration | undefined {
    if (event === ClientEvent.AuthRefresh) {
      // Handled here; the registration only carries the contract schema.
      return { schema: clientEventSchemas[ClientEvent.AuthRefresh], handler: () => ({}) as never };
    }
    return this.registry.registrationFor(event);
  }

  private async run(
    socket: HeraldSocket,
    event: string,
    registration: ClientEventRegistration,
    payload: unknown,
  ): Promise<object | undefined> {
    if (event === ClientEvent.AuthRefresh) {
      return this.refresh(socket, (payload as { token: string }).token);
    }
    const { userId, email, role, tokenExpiresAt } = socket.data;
    const context = {
      user: { userId, email, role, expiresAt: tokenExpiresAt },
      socketId: socket.id,
    };
    return (await registration.handler(context, payload as never)) as object | undefined;
  }

  private answerError(
    socket: HeraldSocket,
    session: Session,
    event: string,
    error: unknown,
    ack?: Ack,
  ): void {
    const detail: ErrorDetail = toErrorDetail(error);
    this.stats.recordClientEvent(detail.code);
    if (detail.code === ErrorCode.Internal) {
      // The payload is not logged: auth:refresh carries a token.
      this.logger.error({
        msg: 'A client event handler failed',
        event,
        userId: socket.data.userId,
        err: error,
      });
    }
    if (ack) {
      ack({ ok: false, error: detail });
      return;
    }
    // Without an acknowledgement only a flood is worth telling, and not once per message.
    if (detail.code === ErrorCode.RateLimited) {
      const now = Date.now();
      if (now - session.lastRateNotice >= RATE_NOTICE_INTERVAL_MS) {
        session.lastRateNotice = now;
        socket.emit(ServerEvent.Error, detail);
      }
    } else if (socket.connected) {
      socket.emit(ServerEvent.Error, detail);
    }
  }
}

/**
 * Lets go of the HTTP request that opened the connection (Socket.IO's memory guide): the
 * engine keeps it for the connection's whole life, though everything the gateway needs
 * from it (headers, address, auth) was copied into `socket.handshake` and `socket.data`
 * when the socket was accepted. On an idle socket it is the largest object kept.
 */
function releaseHandshakeRequest(socket: HeraldSocket): void {
  (socket.conn as unknown as { request: unknown }).request = null;
}

/**
 * Drops the token from `socket.handshake.auth` once it was verified: nothing reads it again
 * (`auth:refresh` brings its own), so a credential need not live as long as the connection,
 * on every idle socket, nor travel with the handshake when another process fetches sockets.
 */
function releaseHandshakeToken(socket: HeraldSocket): void {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  if (auth === undefined || auth === null || !('token' in auth)) return;
  const { token: _verified, ...rest } = auth;
  socket.handshake.auth = Object.keys(rest).length === 0 ? NO_AUTH : rest;
}

/** What `handshake.auth` holds once its only field, the token, is gone. */
const NO_AUTH: Record<string, unknown> = Object.freeze({});

/** The field behind `socket.onAny` (not public API); trusted only while `listenersAny` reads it. */
interface AnyListeners {
  _anyListeners?: unknown[];
}

/**
 * `socket.onAny(listener)` on a socket with no other catch-all listener, with an array of
 * exactly one element: onAny grows an empty array by push, to room for 17, kept by every idle
 * socket for its whole life.
 */
function listenToEveryEvent(
  socket: HeraldSocket,
  listener: (this: HeraldSocket, ...args: unknown[]) => void,
): void {
  const internals = socket as unknown as AnyListeners;
  if (internals._anyListeners === undefined) {
    internals._anyListeners = [listener];
    if (socket.listenersAny()[0] === listener) return;
    internals._anyListeners = undefined;
  }
  socket.onAny(listener);
}
