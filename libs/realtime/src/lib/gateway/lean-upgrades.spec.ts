import { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { leanWebSocketUpgrades, type EngineMiddlewares } from './lean-upgrades';

/** Engine.IO's middleware runner, reduced to what matters here: every middleware, in order. */
function engineWith(...names: string[]) {
  const ran: string[] = [];
  const engine: EngineMiddlewares = {
    middlewares: names.map((name) => (_req, _res, next) => {
      ran.push(name);
      next();
    }),
    _applyMiddlewares(req, res, callback) {
      for (const middleware of this.middlewares) middleware(req, res, () => undefined);
      callback();
    },
  };
  return { engine, ran };
}

const request = () => new IncomingMessage(new Socket());
/** What Engine.IO hands the middlewares on an upgrade: not an http.ServerResponse. */
class UpgradeResponse extends EventEmitter {
  constructor(public req: IncomingMessage | null = request()) {
    super();
  }
}
const upgradeResponse = () => new UpgradeResponse();

describe('leanWebSocketUpgrades', () => {
  it('lets a WebSocket upgrade past the CORS middleware', () => {
    const { engine, ran } = engineWith('cors');
    leanWebSocketUpgrades(engine);
    const done = vi.fn();
    engine._applyMiddlewares(request(), upgradeResponse(), done);
    expect(done).toHaveBeenCalledOnce();
    expect(ran).toEqual([]);
  });

  it("lets go of the upgrade's request, which its response would keep for the connection's life", () => {
    const { engine } = engineWith('cors');
    leanWebSocketUpgrades(engine);
    const response = upgradeResponse();
    engine._applyMiddlewares(request(), response, vi.fn());
    expect(response.req).toBeNull();
  });

  it('does the same for an engine without any middleware', () => {
    const { engine } = engineWith();
    leanWebSocketUpgrades(engine);
    const response = upgradeResponse();
    const done = vi.fn();
    engine._applyMiddlewares(request(), response, done);
    expect(done).toHaveBeenCalledOnce();
    expect(response.req).toBeNull();
  });

  it('still runs it for a polling request', () => {
    const { engine, ran } = engineWith('cors');
    leanWebSocketUpgrades(engine);
    const req = request();
    const done = vi.fn();
    engine._applyMiddlewares(req, new ServerResponse(req), done);
    expect(done).toHaveBeenCalledOnce();
    expect(ran).toEqual(['cors']);
  });

  it('runs every middleware on upgrades once the application added its own', () => {
    const { engine, ran } = engineWith('cors');
    leanWebSocketUpgrades(engine);
    engine.middlewares.push((_req, _res, next) => {
      ran.push('app');
      next();
    });
    const response = upgradeResponse();
    engine._applyMiddlewares(request(), response, vi.fn());
    expect(ran).toEqual(['cors', 'app']);
    // An application middleware may still set response headers through it.
    expect(response.req).not.toBeNull();
  });

  it('leaves an engine alone whose only middleware is not the one it was given', () => {
    const { engine, ran } = engineWith('cors', 'app');
    leanWebSocketUpgrades(engine);
    engine._applyMiddlewares(request(), upgradeResponse(), vi.fn());
    expect(ran).toEqual(['cors', 'app']);
  });
});
