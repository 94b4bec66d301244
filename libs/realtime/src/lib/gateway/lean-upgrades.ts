import { ServerResponse, type IncomingMessage } from 'node:http';

type Middleware = (req: IncomingMessage, res: unknown, next: (error?: unknown) => void) => void;

/** The slice of the Engine.IO server this uses (its middleware list is not public API). */
export interface EngineMiddlewares {
  middlewares: Middleware[];
  _applyMiddlewares(req: IncomingMessage, res: unknown, callback: (error?: unknown) => void): void;
}

/** What Engine.IO hands the middlewares of a WebSocket upgrade instead of a ServerResponse. */
interface UpgradeResponse {
  req: IncomingMessage | null;
}

/**
 * WebSocket upgrades skip the CORS middleware Engine.IO installs for the `cors` option, and
 * let go of their request early. Only applies while CORS is the engine's one middleware (or
 * there is none): once an application adds its own (`server.engine.use`), every request goes
 * through all of them, with the response as Engine.IO made it.
 *
 * - CORS headers on a `101 Switching Protocols` are read by no browser (the Origin check that
 *   matters is `allowRequest`, and RealtimeIoAdapter's answer to a refused upgrade), yet the
 *   middleware ran for every upgrade: the `cors` package's work, three headers more in every
 *   handshake response, and Engine.IO's promise chain around any middleware. Polling
 *   requests still get it.
 * - Engine.IO's stand-in response of an upgrade is kept by a `close` listener on the TCP
 *   socket for the connection's whole life, and it holds the upgrade request: its headers,
 *   raw headers and stream state, about 1 KB on every idle socket. Only a middleware reads
 *   the request through it (to set response headers), and with no middleware to run nothing
 *   will, so it is dropped before the upgrade goes on. (Socket.IO's own reference, the
 *   connection's `request`, is let go of by the gateway once the socket is set up.)
 */
export function leanWebSocketUpgrades(engine: EngineMiddlewares): void {
  if (engine.middlewares.length > 1) return;
  const [cors] = engine.middlewares;
  const apply = engine._applyMiddlewares;
  engine._applyMiddlewares = function (this: EngineMiddlewares, req, res, callback) {
    const upgrade = !(res instanceof ServerResponse);
    const onlyCors =
      this.middlewares.length === 0 ||
      (this.middlewares.length === 1 && this.middlewares[0] === cors);
    if (upgrade && onlyCors) {
      if (isUpgradeResponse(res)) res.req = null;
      return callback();
    }
    return apply.call(this, req, res, callback);
  };
}

function isUpgradeResponse(res: unknown): res is UpgradeResponse {
  return typeof res === 'object' && res !== null && 'req' in res;
}
