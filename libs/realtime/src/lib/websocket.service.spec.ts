import { describe, expect, it, vi } from 'vitest';
import { ServerEvent } from '@herald/ws-contracts';
import { SingleProcessBackend, type ClusterBackend } from './cluster/cluster-backend';
import { SocketServerRef } from './gateway/socket-server.ref';
import type { HeraldServer } from './gateway/socket-types';
import { RealtimeStats } from './realtime-stats';
import { WebSocketService } from './websocket.service';

/** A server with one connected socket `s1`; emits to rooms are recorded. */
function serverWithSocket() {
  const socket = { emit: vi.fn() };
  const roomEmit = vi.fn();
  const server = {
    sockets: { sockets: new Map([['s1', socket]]) },
    to: vi.fn(() => ({ emit: roomEmit })),
  };
  const ref = new SocketServerRef();
  ref.set(server as unknown as HeraldServer);
  return { ref, server, socket, roomEmit };
}

const payload = { unreadCount: 3 };

describe('WebSocketService.emitToSocket', () => {
  it('in one process, emits on the socket itself', () => {
    const { ref, server, socket } = serverWithSocket();
    const ws = new WebSocketService(ref, new SingleProcessBackend(), new RealtimeStats());
    ws.emitToSocket('s1', ServerEvent.NotificationUnreadCount, payload);
    expect(socket.emit).toHaveBeenCalledWith(ServerEvent.NotificationUnreadCount, payload);
    expect(server.to).not.toHaveBeenCalled();
  });

  it('in one process, drops the event for a socket that is not connected', () => {
    const { ref, socket } = serverWithSocket();
    const ws = new WebSocketService(ref, new SingleProcessBackend(), new RealtimeStats());
    expect(() =>
      ws.emitToSocket('gone', ServerEvent.NotificationUnreadCount, payload),
    ).not.toThrow();
    expect(socket.emit).not.toHaveBeenCalled();
  });

  it("in a cluster, emits to the socket's room through the adapter (any process, recoverable)", () => {
    const { ref, server, socket, roomEmit } = serverWithSocket();
    const cluster = { adapterName: 'redis' } as unknown as ClusterBackend;
    const ws = new WebSocketService(ref, cluster, new RealtimeStats());
    ws.emitToSocket('s1', ServerEvent.NotificationUnreadCount, payload);
    expect(server.to).toHaveBeenCalledWith(['s1']);
    expect(roomEmit).toHaveBeenCalledWith(ServerEvent.NotificationUnreadCount, payload);
    expect(socket.emit).not.toHaveBeenCalled();
  });
});
