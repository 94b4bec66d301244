import { randomUUID } from 'node:crypto';
import { userRoom } from '@herald/ws-contracts';
import type { HeraldServer } from '../gateway/socket-types';

/** Asks every other process to disconnect a user's sockets: `{ requestId, userId }`. */
const DISCONNECT_REQUEST = 'herald:disconnect-user';
/** A process's answer: `{ requestId, disconnected }`. */
const DISCONNECT_DONE = 'herald:disconnect-user:done';

/** How long a disconnect waits for the other processes to confirm. */
export const DEFAULT_DISCONNECT_CONFIRM_TIMEOUT_MS = 2_000;

/** What a cluster-wide disconnect achieved, as far as this process can tell. */
export interface ClusterDisconnectOutcome {
  /** Sockets closed: this process's plus those the confirming processes reported. */
  disconnected: number;
  /** Sockets this process closed itself (at once, whatever the cluster does). */
  disconnectedHere: number;
  /** Other processes that confirmed within the timeout. */
  peersConfirmed: number;
  /**
   * Other processes that did not confirm in time (frozen, partitioned, overloaded); they
   * still act on the request when its message reaches them. Null when the cluster could not
   * be asked at all (Redis unreachable).
   */
  peersUnreachable: number | null;
}

interface PendingRequest {
  responses: number[];
  expected: number;
  done: () => void;
}

type ServerSideEmitter = {
  on(event: string, listener: (message: unknown) => void): unknown;
  serverSideEmit(event: string, message: unknown): unknown;
};

/**
 * Cluster-wide disconnects that never wait for the slowest process: the local sockets go
 * first, then a request goes out to the others through the adapter (Redis), and the answer
 * reports who confirmed within the timeout. Socket.IO's own `fetchSockets`-then-disconnect
 * waited for every process and, with one frozen, disconnected nobody.
 */
export class ClusterDisconnector {
  private readonly pending = new Map<string, PendingRequest>();

  constructor(
    private readonly server: HeraldServer,
    private readonly confirmTimeoutMs = DEFAULT_DISCONNECT_CONFIRM_TIMEOUT_MS,
  ) {
    const namespace = this.emitter;
    namespace.on(DISCONNECT_REQUEST, (message) => void this.onRequest(message));
    namespace.on(DISCONNECT_DONE, (message) => this.onDone(message));
  }

  /** Closes the user's sockets here at once, asks the other processes, reports who confirmed. */
  async disconnectUser(userId: string): Promise<ClusterDisconnectOutcome> {
    const here = await this.disconnectLocally(userId);
    let peers: number;
    try {
      peers = Math.max(0, (await this.server.of('/').adapter.serverCount()) - 1);
    } catch {
      return {
        disconnected: here,
        disconnectedHere: here,
        peersConfirmed: 0,
        peersUnreachable: null,
      };
    }
    if (peers === 0)
      return { disconnected: here, disconnectedHere: here, peersConfirmed: 0, peersUnreachable: 0 };

    const requestId = randomUUID();
    const responses = await new Promise<number[]>((resolve) => {
      const request: PendingRequest = { responses: [], expected: peers, done: () => undefined };
      const timer = setTimeout(() => request.done(), this.confirmTimeoutMs);
      request.done = () => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(request.responses);
      };
      this.pending.set(requestId, request);
      try {
        this.emitter.serverSideEmit(DISCONNECT_REQUEST, { requestId, userId });
      } catch {
        request.done();
      }
    });
    return {
      disconnected: here + responses.reduce((sum, n) => sum + n, 0),
      disconnectedHere: here,
      peersConfirmed: responses.length,
      peersUnreachable: Math.max(0, peers - responses.length),
    };
  }

  private get emitter(): ServerSideEmitter {
    return this.server.of('/') as unknown as ServerSideEmitter;
  }

  private async disconnectLocally(userId: string): Promise<number> {
    const local = this.server.local.in(userRoom(userId));
    const sockets = await local.fetchSockets();
    local.disconnectSockets(true);
    return sockets.length;
  }

  private async onRequest(message: unknown): Promise<void> {
    const { requestId, userId } = (message ?? {}) as { requestId?: unknown; userId?: unknown };
    if (typeof requestId !== 'string' || typeof userId !== 'string') return;
    const disconnected = await this.disconnectLocally(userId);
    this.emitter.serverSideEmit(DISCONNECT_DONE, { requestId, disconnected });
  }

  private onDone(message: unknown): void {
    const { requestId, disconnected } = (message ?? {}) as {
      requestId?: unknown;
      disconnected?: unknown;
    };
    const request = typeof requestId === 'string' ? this.pending.get(requestId) : undefined;
    if (!request || typeof disconnected !== 'number') return;
    request.responses.push(disconnected);
    if (request.responses.length >= request.expected) request.done();
  }
}

const disconnectors = new WeakMap<object, ClusterDisconnector>();

/** Makes `server` answer disconnect requests of the other processes (RealtimeIoAdapter does it). */
export function installClusterDisconnector(server: HeraldServer): ClusterDisconnector {
  let disconnector = disconnectors.get(server);
  if (!disconnector) {
    disconnector = new ClusterDisconnector(server);
    disconnectors.set(server, disconnector);
  }
  return disconnector;
}
