import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import type { ServerOptions, Socket } from 'socket.io';
import { ErrorCode } from '@herald/ws-contracts';
import { asksForRecovery, recoverAuthenticatedSession } from '../cluster/authenticated-recovery';
import { CLUSTER_BACKEND, type ClusterBackend } from '../cluster/cluster-backend';
import { installClusterDisconnector } from '../cluster/cluster-disconnect';
import { REALTIME_OPTIONS, type ResolvedRealtimeOptions } from '../realtime.options';
import { RealtimeStats } from '../realtime-stats';
import { EngineSessionLimiter, TOO_MANY_SOCKETS_MESSAGE } from './engine-session-limiter';
import { HandshakeAuthenticator } from './handshake-authenticator';
import type { HeraldNamespace, HeraldServer, HeraldSocket } from './socket-types';
import { leanWebSocketUpgrades, type EngineMiddlewares } from './lean-upgrades';

const realtimeServers = new WeakSet<object>();

/** True for a server built by RealtimeIoAdapter (and therefore protected by it). */
export function isRealtimeServer(server: unknown): boolean {
  return typeof server === 'object' && server !== null && realtimeServers.has(server);
}

/** Servers whose next `bindClientConnect` is for a gateway that listens to connections itself. */
const selfWiredServers = new WeakSet<object>();

/**
 * For a gateway's `afterInit`: `onConnection` gets every socket of `server` straight from
 * Socket.IO, and Nest's per-client wiring of that gateway (which `bindClientConnect` is
 * called for right after `afterInit`) is left out: its rxjs connection stream, and the
 * disconnect closure it keeps on every socket for the connection's whole life. The gateway
 * then listens to `disconnect` itself. Other gateways of the server are wired by Nest.
 */
export function listenToConnections(
  server: HeraldServer,
  onConnection: (socket: HeraldSocket) => void,
): void {
  selfWiredServers.add(server);
  server.on('connection', onConnection);
}

/**
 * The Socket.IO adapter of a Herald app. It builds the server from RealtimeModule's
 * options (path, transports, CORS allow-list, message size limit, Origin check), installs
 * the cluster adapter and the handshake authentication on every namespace, before the
 * server accepts anyone.
 *
 * Install it before `app.init()`/`app.listen()` — an adapter set later is silently
 * ignored by Nest, and RealtimeGateway then refuses to start:
 *
 *   const app = await NestFactory.create(AppModule);
 *   app.useWebSocketAdapter(new RealtimeIoAdapter(app));
 *   await app.listen(3000);
 */
export class RealtimeIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): HeraldServer {
    const realtime = this.app.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS, { strict: false });
    const handshake = this.app.get(HandshakeAuthenticator, { strict: false });
    const backend = this.app.get<ClusterBackend>(CLUSTER_BACKEND, { strict: false });
    const stats = this.app.get(RealtimeStats, { strict: false });
    const upgradeListenersBefore = this.upgradeListeners();
    const sessions = new EngineSessionLimiter({
      maxSocketsPerAddress: realtime.limits.maxSocketsPerAddress,
      takeHandshake: (key) => handshake.takeHandshakeAllowance(key),
      onRefused: () => stats.recordHandshake(ErrorCode.RateLimited),
    });
    const server: HeraldServer = super.createIOServer(port, {
      ...options,
      path: realtime.path,
      transports: realtime.transports,
      // An oversized message closes that one connection (engine.io refuses to buffer it).
      maxHttpBufferSize: realtime.limits.maxMessageBytes,
      cors: { origin: handshake.originPolicy.corsOrigin(), credentials: true },
      // The Origin check first (403), then the cap on open sessions per address (429).
      allowRequest: (
        request: IncomingMessage,
        callback: (error: string | null | undefined, success: boolean) => void,
      ) =>
        handshake.allowRequest(request, (error, success) => {
          if (!success) return callback(error, false);
          const refusal = sessions.refuseOverCap(request);
          callback(refusal ?? null, refusal === undefined);
        }),
      serveClient: false,
    });
    this.answerRefusedUpgrades(upgradeListenersBefore, realtime.path, (request) => {
      if (!handshake.originPolicy.isAllowed(request.headers.origin))
        return { status: '403 Forbidden', body: { code: 4, message: 'Origin not allowed' } };
      // A new session (no `sid`) past the cap on open sessions of its address.
      if (!/[?&]sid=/.test(request.url ?? '') && sessions.isOverCap(request))
        return {
          status: '429 Too Many Requests',
          body: { code: ErrorCode.RateLimited, message: TOO_MANY_SOCKETS_MESSAGE },
        };
      return undefined;
    });
    leanWebSocketUpgrades(server.engine as unknown as EngineMiddlewares);
    backend.attach(server);
    sessions.track(server.engine);
    installClusterDisconnector(server);
    handshake.protect(server);
    this.recoverSessionsAfterAuthentication(server, handshake);
    realtimeServers.add(server);
    return server;
  }

  /** Nest's connection handler of a gateway, unless it called `listenToConnections`. */
  override bindClientConnect(server: HeraldServer, callback: (...args: unknown[]) => void): void {
    if (selfWiredServers.delete(server)) return;
    super.bindClientConnect(server, callback);
  }

  /**
   * Nest binds a client's `@SubscribeMessage` handlers through rxjs, and first makes that
   * client a disconnect observable it keeps for the connection's whole life. Herald's gateway
   * has no such handlers (client events go through one `onAny` dispatch), so a client with
   * nothing to bind gets nothing kept.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (handlers.length === 0) return;
    super.bindMessageHandlers(socket, handlers, transform);
  }

  /**
   * Connection state recovery (cluster mode) as the last middleware of every namespace, so
   * it only ever runs for a socket the handshake authentication accepted.
   */
  private recoverSessionsAfterAuthentication(
    server: HeraldServer,
    handshake: HandshakeAuthenticator,
  ): void {
    const recover = (socket: HeraldSocket, next: () => void) => {
      if (!asksForRecovery(socket)) return next();
      const rooms = handshake.peekResult(socket)?.rooms ?? [];
      void recoverAuthenticatedSession(socket, rooms).finally(() => next());
    };
    server.use(recover);
    server.on('new_namespace', (namespace: HeraldNamespace) => namespace.use(recover));
  }

  private upgradeListeners(): Set<UpgradeListener> {
    const http = this.httpServer as HttpServer | undefined;
    return new Set(http ? (http.listeners('upgrade') as UpgradeListener[]) : []);
  }

  /**
   * engine.io answers a refused websocket upgrade with 400 whatever the reason; a foreign
   * Origin deserves the same 403 as on polling, an address past its cap of open sessions the
   * same 429. So the listeners engine.io just added are wrapped: such a request is answered
   * before engine.io sees it. (`allowRequest` still refuses it too, should another listener
   * get there first.)
   */
  private answerRefusedUpgrades(
    before: Set<UpgradeListener>,
    path: string,
    refusalFor: (request: IncomingMessage) => UpgradeRefusal | undefined,
  ) {
    const http = this.httpServer as HttpServer | undefined;
    if (!http) return;
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const listener of http.listeners('upgrade') as UpgradeListener[]) {
      if (before.has(listener)) continue;
      http.removeListener('upgrade', listener);
      http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const url = request.url ?? '';
        const refusal =
          url === path || url.startsWith(prefix) || url.startsWith(`${path}?`)
            ? refusalFor(request)
            : undefined;
        if (refusal) {
          const body = JSON.stringify(refusal.body);
          socket.end(
            `HTTP/1.1 ${refusal.status}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
          return;
        }
        listener.call(http, request, socket, head);
      });
    }
  }
}

interface UpgradeRefusal {
  status: string;
  body: { code: number | string; message: string };
}

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
