/**
 * Every Redis key and channel Herald uses, derived from one prefix (REDIS_KEY_PREFIX) so
 * that several clusters can share a Redis and a test run can remove exactly its own keys.
 * The Socket.IO adapter, the presence store and the emitter all name things here, so the
 * emitter writes to the very stream the adapters read.
 */
export interface ClusterKeys {
  readonly prefix: string;
  /** The Redis stream that carries every broadcast between processes (and replays them). */
  readonly stream: string;
  /** Prefix of the pub/sub channels for ephemeral messages (fetchSockets, serverSideEmit). */
  readonly channelPrefix: string;
  /** Prefix of the session keys kept for connection state recovery. */
  readonly sessionKeyPrefix: string;
  /** Set of the presence instances ever registered and not yet reaped. */
  readonly presenceInstances: string;
  /** Heartbeat key of one process; it expires when the process stops refreshing it. */
  presenceHeartbeat(instanceId: string): string;
  /** Set of `socketId:userId` of one process. */
  presenceInstanceSockets(instanceId: string): string;
  /** Set of `instanceId:socketId` of one user, across the cluster. */
  presenceUser(userId: string): string;
  /**
   * Sorted set (all scores 0, so ordered by userId) of the users with at least one socket
   * entry: the presence list pages through it with ZRANGEBYLEX.
   */
  readonly presenceUsers: string;
  /** The same three key families as prefixes, for the Lua scripts. */
  readonly presenceHeartbeatPrefix: string;
  readonly presenceInstanceSocketsPrefix: string;
  readonly presenceUserPrefix: string;
}

/** Approximate cap of the stream (XADD MAXLEN ~): bounds memory and the recovery window. */
export const STREAM_MAX_LEN = 10_000;

export function clusterKeys(prefix: string): ClusterKeys {
  if (typeof prefix !== 'string' || prefix.trim() === '') {
    throw new Error('REDIS_KEY_PREFIX must be a non-empty string');
  }
  const heartbeat = `${prefix}:presence:heartbeat:`;
  const instanceSockets = `${prefix}:presence:sockets:`;
  const user = `${prefix}:presence:user:`;
  return {
    prefix,
    stream: `${prefix}:socket.io:stream`,
    channelPrefix: `${prefix}:socket.io`,
    sessionKeyPrefix: `${prefix}:socket.io:session:`,
    presenceInstances: `${prefix}:presence:instances`,
    presenceUsers: `${prefix}:presence:users`,
    presenceHeartbeat: (id) => heartbeat + id,
    presenceInstanceSockets: (id) => instanceSockets + id,
    presenceUser: (userId) => user + userId,
    presenceHeartbeatPrefix: heartbeat,
    presenceInstanceSocketsPrefix: instanceSockets,
    presenceUserPrefix: user,
  };
}
