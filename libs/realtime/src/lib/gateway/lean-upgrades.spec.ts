import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('leanWebSocketUpgrades on a real Socket.IO server', () => {
  /** A server with Engine.IO's CORS middleware, made lean, remembering every upgrade's response. */
  async function serve() {
    const http = createServer();
    const server = new Server(http, { cors: { origin: 'http://app.test' }, serveClient: false });
    const engine = server.engine as unknown as EngineMiddlewares;
    leanWebSocketUpgrades(engine);
    const responses: Array<{ req?: unknown }> = [];
    const apply = engine._applyMiddlewares;
    engine._applyMiddlewares = function (this: EngineMiddlewares, req, res, callback) {
      if (!(res instanceof ServerResponse)) responses.push(res as { req?: unknown });
      return apply.call(this, req, res, callback);
    };
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const clients: ClientSocket[] = [];
    return {
      server,
      responses,
      connect(transports: Array<'websocket' | 'polling'>) {
        const client = connect(url, { transports, reconnection: false });
        clients.push(client);
        return client;
      },
      async close() {
        for (const client of clients) client.close();
        await server.close();
      },
    };
  }

  let setup: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it.each<[string, Array<'websocket' | 'polling'>]>([
    ['a WebSocket connection', ['websocket']],
    ['polling upgraded to WebSocket', ['polling', 'websocket']],
  ])(
    'serves %s, and its upgrade response no longer holds the request',
    async (_name, transports) => {
      setup = await serve();
      const client = setup.connect(transports);
      const upgraded =
        transports.length > 1
          ? new Promise<void>((resolve) => client.io.engine.once('upgrade', () => resolve()))
          : undefined;
      const echoed = new Promise((resolve) => client.once('echo', resolve));
      setup.server.once('connection', (socket) => socket.emit('echo', 'hello'));
      await expect(echoed).resolves.toBe('hello');
      await upgraded;
      expect(setup.responses.length).toBeGreaterThan(0);
      // Engine.IO's stand-in response is what its TCP `close` listener keeps alive.
      for (const response of setup.responses) expect(response.req).toBeNull();
    },
  );
});
