import type { Server } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import { InMemoryPresenceStore } from '../presence/in-memory-presence.store';
import type { PresenceStore } from '../presence/presence-store';
import { InMemoryRevocationStore, type RevocationStore } from '../revocation/token-revocations';
import { deliverLargeBroadcastsInSlices } from './sliced-broadcast';

/**
 * Everything that differs between one process and a cluster: the Socket.IO adapter that
 * carries emits between processes, and the presence store. `RealtimeModuleOptions.redis`
 * chooses the backend in createClusterBackend and nowhere else.
 */
export interface ClusterBackend {
  /** Shown in health output, e.g. `in-memory` or `redis`. */
  readonly adapterName: string;
  readonly presence: PresenceStore;
  /** Where token revocations are kept (memory, or Redis for the whole cluster). */
  readonly revocations: RevocationStore;
  /** Installs the cross-process adapter on a new server, before it accepts anyone. */
  attach(server: Server): void;
  /** Connected and able to deliver (a Redis backend reports its connection here). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

export const CLUSTER_BACKEND = Symbol('CLUSTER_BACKEND');

/** One process: Socket.IO's default in-memory adapter and in-memory presence. */
export class SingleProcessBackend implements ClusterBackend {
  readonly adapterName = 'in-memory';
  readonly presence = new InMemoryPresenceStore();
  readonly revocations = new InMemoryRevocationStore();

  /** Socket.IO's built-in adapter, delivering large broadcasts a slice at a time. */
  attach(server: Server): void {
    // Before anything replaced it, the server's adapter is Socket.IO's in-memory class.
    const InMemoryAdapter = server.adapter() as typeof Adapter;
    server.adapter(deliverLargeBroadcastsInSlices((nsp) => new InMemoryAdapter(nsp)));
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await this.presence.close();
  }
}
