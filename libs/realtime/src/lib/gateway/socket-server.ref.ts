import { Injectable } from '@nestjs/common';
import type { HeraldServer } from './socket-types';

/**
 * Holds the Socket.IO server once Nest created it (through RealtimeIoAdapter) so that
 * services can be injected before the server exists.
 */
@Injectable()
export class SocketServerRef {
  private current?: HeraldServer;

  set(server: HeraldServer): void {
    this.current = server;
  }

  clear(): void {
    this.current = undefined;
  }

  get server(): HeraldServer | undefined {
    return this.current;
  }

  /** Sockets connected to this process (all namespaces' engine clients). */
  get localConnections(): number {
    return this.current?.engine?.clientsCount ?? 0;
  }
}
