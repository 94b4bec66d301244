import { ServerResponse, type IncomingMessage } from 'node:http';

type Middleware = (req: IncomingMessage, res: unknown, next: (error?: unknown) => void) => void;

/** The slice of the Engine.IO server this uses (its middleware list is not public API). */
export interface EngineMiddlewares {
  middlewares: Middleware[];
  _applyMiddlewares(req: IncomingMessage, res: unknown, callback: (error?: unknown) => void): void;
}

/**
 * Lets WebSocket upgrades skip the CORS middleware Engine.IO installs for the `cors` option.
 * CORS headers on a `101 Switching Protocols` are read by no browser (the Origin check that
 * matters is `allowRequest`, and RealtimeIoAdapter's answer to a refused upgrade), yet the
 * middleware ran for every upgrade: the `cors` package's work, three headers more in every
 * handshake response, and Engine.IO's promise chain around any middleware. Polling requests
 * still get it. Only applies while CORS is the engine's one middleware: once an application
 * adds its own (`server.engine.use`), every request goes through all of them as before.
 */
export function skipCorsOnWebSocketUpgrades(engine: EngineMiddlewares): void {
  if (engine.middlewares.length !== 1) return;
  const [cors] = engine.middlewares;
  const apply = engine._applyMiddlewares;
  engine._applyMiddlewares = function (this: EngineMiddlewares, req, res, callback) {
    const upgrade = !(res instanceof ServerResponse);
    if (upgrade && this.middlewares.length === 1 && this.middlewares[0] === cors) {
      return callback();
    }
    return apply.call(this, req, res, callback);
  };
}
