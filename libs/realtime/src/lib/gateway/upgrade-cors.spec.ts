import { EventEmitter } from 'node:events';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { skipCorsOnWebSocketUpgrades, type EngineMiddlewares } from './upgrade-cors';

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
const upgradeResponse = () => new EventEmitter();

describe('skipCorsOnWebSocketUpgrades', () => {
  it('lets a WebSocket upgrade past the CORS middleware', () => {
    const { engine, ran } = engineWith('cors');
    skipCorsOnWebSocketUpgrades(engine);
    const done = vi.fn();
    engine._applyMiddlewares(request(), upgradeResponse(), done);
    expect(done).toHaveBeenCalledOnce();
    expect(ran).toEqual([]);
  });

  it('still runs it for a polling request', () => {
    const { engine, ran } = engineWith('cors');
    skipCorsOnWebSocketUpgrades(engine);
    const req = request();
    const done = vi.fn();
    engine._applyMiddlewares(req, new ServerResponse(req), done);
    expect(done).toHaveBeenCalledOnce();
    expect(ran).toEqual(['cors']);
  });

  it('runs every middleware on upgrades once the application added its own', () => {
    const { engine, ran } = engineWith('cors');
    skipCorsOnWebSocketUpgrades(engine);
    engine.middlewares.push((_req, _res, next) => {
      ran.push('app');
      next();
    });
    engine._applyMiddlewares(request(), upgradeResponse(), vi.fn());
    expect(ran).toEqual(['cors', 'app']);
  });

  it('leaves an engine alone whose only middleware is not the one it was given', () => {
    const { engine, ran } = engineWith('cors', 'app');
    skipCorsOnWebSocketUpgrades(engine);
    engine._applyMiddlewares(request(), upgradeResponse(), vi.fn());
    expect(ran).toEqual(['cors', 'app']);
  });
});
