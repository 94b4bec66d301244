import { EventEmitter } from 'node:events';
import type { INestApplicationContext } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { listenToConnections, RealtimeIoAdapter } from './realtime-io.adapter';
import type { HeraldServer } from './socket-types';

describe('RealtimeIoAdapter connection wiring', () => {
  const adapter = new RealtimeIoAdapter(undefined as unknown as INestApplicationContext);

  it("leaves out Nest's handler for the gateway that listens to connections itself, only that one", () => {
    const server = new EventEmitter() as unknown as HeraldServer;
    const gateway = vi.fn();
    const nestForGateway = vi.fn();
    const nestForAnother = vi.fn();
    listenToConnections(server, gateway);
    adapter.bindClientConnect(server, nestForGateway);
    adapter.bindClientConnect(server, nestForAnother);

    const socket = {};
    (server as unknown as EventEmitter).emit('connection', socket);
    expect(gateway).toHaveBeenCalledWith(socket);
    expect(nestForGateway).not.toHaveBeenCalled();
    expect(nestForAnother).toHaveBeenCalledWith(socket);
  });

  it("binds Nest's handler as usual on a server no gateway wired itself", () => {
    const server = new EventEmitter() as unknown as HeraldServer;
    const nest = vi.fn();
    adapter.bindClientConnect(server, nest);
    (server as unknown as EventEmitter).emit('connection', {});
    expect(nest).toHaveBeenCalledOnce();
  });
});
