import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { clusterKeys, type ClusterKeys } from '../cluster/redis-keys';
import type { PresenceListPage, PresenceStore } from './presence-store';

export interface RedisPresenceOptions {
  keyPrefix: string;
  /** How often this process refreshes its heartbeat (and reaps dead processes). Default 3 s. */
  heartbeatIntervalMs?: number;
  /**
   * Lifetime of the heartbeat. A process that stops refreshing it (SIGKILL, crash, lost
   * network) stops being counted once it expires: this is the bound on how long the sockets
   * of a dead process are still reported. Default 10 s.
   */
  heartbeatTtlMs?: number;
  /** Unique id of this process in the cluster; random by default. */
  instanceId?: string;
}

export const DEFAULT_PRESENCE_HEARTBEAT_INTERVAL_MS = 3_000;
export const DEFAULT_PRESENCE_HEARTBEAT_TTL_MS = 10_000;

/**
 * Lua: `liveSockets(userSetKey, heartbeatPrefix)` counts the members of a user's set whose
 * process is alive, checking each process's heartbeat once per script run. Members are
 * `instanceId:socketId`; socket ids and instance ids never contain ':'.
 */
const LIVE_SOCKETS_FUNCTION = `
local alive = {}
local function liveSockets(key, heartbeatPrefix)
  local count = 0
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    local instance = string.match(member, '^([^:]+):')
    if instance then
      local live = alive[instance]
      if live == nil then
        live = redis.call('EXISTS', heartbeatPrefix .. instance) == 1
        alive[instance] = live
      end
      if live then count = count + 1 end
    end
  end
  return count
end
`;

/**
 * Counts each user's sockets whose process is alive, in one call: one count per key, in
 * order.
 * KEYS[1..n] user sets · ARGV[1] heartbeat key prefix
 */
const COUNT_LIVE_SOCKETS_OF_USERS = `${LIVE_SOCKETS_FUNCTION}
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = liveSockets(key, ARGV[1])
end
return counts
`;

/**
 * Forgets every socket of each registered process whose heartbeat expired (or of the one
 * named in ARGV[4], for a clean shutdown). Atomic, so a process that refreshes its
 * heartbeat at the same moment is either reaped entirely before or not at all. A user left
 * without entries leaves the users sorted set.
 * KEYS[1] instances set · KEYS[2] users sorted set · ARGV[1] heartbeat prefix ·
 * ARGV[2] instance-sockets prefix · ARGV[3] user prefix · ARGV[4] instance to remove
 * unconditionally ('' for none)
 */
const REAP_DEAD_INSTANCES = `
local reaped = 0
for _, instance in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if instance == ARGV[4] or redis.call('EXISTS', ARGV[1] .. instance) == 0 then
    local socketsKey = ARGV[2] .. instance
    for _, entry in ipairs(redis.call('SMEMBERS', socketsKey)) do
      local socketId, userId = string.match(entry, '^([^:]+):(.*)$')
      if socketId then
        redis.call('SREM', ARGV[3] .. userId, instance .. ':' .. socketId)
        if redis.call('SCARD', ARGV[3] .. userId) == 0 then redis.call('ZREM', KEYS[2], userId) end
      end
    end
    redis.call('DEL', socketsKey)
    redis.call('SREM', KEYS[1], instance)
    if instance == ARGV[4] then redis.call('DEL', ARGV[1] .. instance) end
    reaped = reaped + 1
  end
end
return reaped
`;

/**
 * Replaces what Redis knows about this process with what it really has: first forgets the
 * entries it wrote before (some may be stale after a write failed during an outage), then
 * writes the current sockets. Used when the heartbeat finds itself expired (this process
 * was reaped, or Redis restarted empty) or a write was lost.
 * KEYS[1] instance-sockets set · KEYS[2] instances set · KEYS[3] users sorted set ·
 * ARGV[1] user prefix · ARGV[2] instance id · ARGV[3..] socketId, userId pairs
 */
const REPLACE_INSTANCE_SOCKETS = `
local instance = ARGV[2]
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local socketId, userId = string.match(entry, '^([^:]+):(.*)$')
  if socketId then
    redis.call('SREM', ARGV[1] .. userId, instance .. ':' .. socketId)
    if redis.call('SCARD', ARGV[1] .. userId) == 0 then redis.call('ZREM', KEYS[3], userId) end
  end
end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do
  redis.call('SADD', ARGV[1] .. ARGV[i + 1], instance .. ':' .. ARGV[i])
  redis.call('SADD', KEYS[1], ARGV[i] .. ':' .. ARGV[i + 1])
  redis.call('ZADD', KEYS[3], 0, ARGV[i + 1])
end
redis.call('SADD', KEYS[2], instance)
return #ARGV / 2 - 1
`;

/**
 * Forgets one socket; the user leaves the users sorted set with its last entry.
 * KEYS[1] user set · KEYS[2] instance-sockets set · KEYS[3] users sorted set ·
 * ARGV[1] user member · ARGV[2] instance-sockets entry · ARGV[3] userId
 */
const REMOVE_SOCKET = `
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) end
return 1
`;

/**
 * One page of the users sorted set from ARGV[1] (a ZRANGEBYLEX bound), each with its live
 * sockets counted by `liveSockets`; users whose entries all belong to dead
 * processes (not yet reaped) are skipped. Answers { scanned, last scanned userId, userId,
 * count, userId, count, ... }.
 * KEYS[1] users sorted set · ARGV[1] lower bound · ARGV[2] limit · ARGV[3] user prefix ·
 * ARGV[4] heartbeat prefix
 */
const LIST_USERS_PAGE = `${LIVE_SOCKETS_FUNCTION}
local ids = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], '+', 'LIMIT', 0, tonumber(ARGV[2]))
local out = { #ids, ids[#ids] or '' }
for _, userId in ipairs(ids) do
  local count = liveSockets(ARGV[3] .. userId, ARGV[4])
  if count > 0 then
    out[#out + 1] = userId
    out[#out + 1] = count
  end
end
return out
`;

/**
 * Cluster-wide presence in Redis.
 *
 * Layout (all under the prefix): one set per user of `instanceId:socketId`, one set per
 * process of `socketId:userId`, a heartbeat key per process with a TTL, a set of the
 * processes, and a sorted set of the users that have entries (the presence list's index). A user's sockets are counted only where the process's heartbeat is alive, so
 * a process killed without a goodbye stops counting within `heartbeatTtlMs`; every live
 * process also reaps the entries of dead ones on each heartbeat, so nothing accumulates.
 *
 * Redis trouble never reaches the gateway: this process keeps an exact local mirror of its
 * own sockets; a failed write marks the store dirty and the next successful heartbeat
 * rewrites this process's entries from the mirror (this also rebuilds presence after Redis
 * restarts empty). While Redis is unreachable `countSockets` answers for this process only.
 *
 * The Lua scripts compute key names, so this assumes one Redis (or all keys in one slot),
 * not a Redis Cluster.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly kind = 'redis';
  readonly instanceId: string;
  private readonly keys: ClusterKeys;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTtlMs: number;
  private readonly logger = new Logger('Presence');
  /** This process's sockets, exact whatever Redis does. */
  private readonly localSockets = new Map<string, string>();
  private readonly localCountByUser = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private dirty = false;
  private closed = false;
  private degraded = false;
  private beating?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    options: RedisPresenceOptions,
  ) {
    this.keys = clusterKeys(options.keyPrefix);
    this.heartbeatIntervalMs =
      options.heartbeatIntervalMs ?? DEFAULT_PRESENCE_HEARTBEAT_INTERVAL_MS;
    this.heartbeatTtlMs = options.heartbeatTtlMs ?? DEFAULT_PRESENCE_HEARTBEAT_TTL_MS;
    if (!(this.heartbeatIntervalMs > 0) || !(this.heartbeatTtlMs > this.heartbeatIntervalMs)) {
      throw new Error(
        'Redis presence: heartbeatTtlMs must be longer than heartbeatIntervalMs (both positive)',
      );
    }
    this.instanceId = options.instanceId ?? randomBytes(8).toString('hex');
    if (!/^[\w-]+$/.test(this.instanceId))
      throw new Error('Redis presence: instanceId must match [A-Za-z0-9_-]+');
  }

  /** Registers this process and starts the heartbeat; Redis must be reachable. */
  async start(): Promise<void> {
    await this.heartbeat({ throwOnError: true });
    this.timer = setInterval(() => void this.tick(), this.heartbeatIntervalMs);
    this.timer.unref();
  }

  async add(userId: string, socketId: string): Promise<void> {
    assertSocketId(socketId);
    if (this.localSockets.get(socketId) === userId) return;
    this.localSockets.set(socketId, userId);
    this.localCountByUser.set(userId, (this.localCountByUser.get(userId) ?? 0) + 1);
    await this.write(
      this.redis
        .multi()
        .sadd(this.keys.presenceUser(userId), `${this.instanceId}:${socketId}`)
        .sadd(this.keys.presenceInstanceSockets(this.instanceId), `${socketId}:${userId}`)
        .zadd(this.keys.presenceUsers, 0, userId),
    );
  }

  async remove(userId: string, socketId: string): Promise<void> {
    if (this.localSockets.get(socketId) !== userId) return;
    this.localSockets.delete(socketId);
    const left = (this.localCountByUser.get(userId) ?? 1) - 1;
    if (left > 0) this.localCountByUser.set(userId, left);
    else this.localCountByUser.delete(userId);
    await this.write(
      this.redis
        .multi()
        .eval(
          REMOVE_SOCKET,
          3,
          this.keys.presenceUser(userId),
          this.keys.presenceInstanceSockets(this.instanceId),
          this.keys.presenceUsers,
          `${this.instanceId}:${socketId}`,
          `${socketId}:${userId}`,
          userId,
        ),
    );
  }

  /**
   * A page of the users sorted set (ZRANGEBYLEX from the cursor: O(log n + limit)), each
   * with its live sockets. Unlike `countSockets` it fails while Redis is unreachable: a
   * list of this process's users alone would read as the cluster's.
   */
  async listUsers({ limit, after }: { limit: number; after?: string }): Promise<PresenceListPage> {
    const reply = (await this.redis.eval(
      LIST_USERS_PAGE,
      1,
      this.keys.presenceUsers,
      after === undefined ? '-' : `(${after}`,
      limit,
      this.keys.presenceUserPrefix,
      this.keys.presenceHeartbeatPrefix,
    )) as [number, string, ...(string | number)[]];
    const [scanned, last, ...pairs] = reply;
    const users = [];
    for (let i = 0; i < pairs.length; i += 2)
      users.push({ userId: String(pairs[i]), sockets: Number(pairs[i + 1]) });
    return Number(scanned) === limit ? { users, next: last } : { users };
  }

  async countSockets(userId: string): Promise<number> {
    return (await this.countSocketsByUser([userId])).get(userId) ?? 0;
  }

  /** Like `countSockets`, for many users in one script call (and degraded the same way). */
  async countSocketsByUser(userIds: readonly string[]): Promise<Map<string, number>> {
    const distinct = [...new Set(userIds)];
    if (distinct.length === 0) return new Map();
    try {
      const counts = (await this.redis.eval(
        COUNT_LIVE_SOCKETS_OF_USERS,
        distinct.length,
        ...distinct.map((userId) => this.keys.presenceUser(userId)),
        this.keys.presenceHeartbeatPrefix,
      )) as number[];
      return new Map(distinct.map((userId, i) => [userId, Number(counts[i] ?? 0)]));
    } catch (error) {
      this.noteFailure(error);
      return new Map(distinct.map((userId) => [userId, this.localCountByUser.get(userId) ?? 0]));
    }
  }

  /** Sockets of this process, exact (for metrics and health). */
  get localSocketCount(): number {
    return this.localSockets.size;
  }

  /** Stops the heartbeat and removes this process's entries, so it stops counting at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.beating;
    try {
      await this.redis.eval(
        REAP_DEAD_INSTANCES,
        2,
        this.keys.presenceInstances,
        this.keys.presenceUsers,
        this.keys.presenceHeartbeatPrefix,
        this.keys.presenceInstanceSocketsPrefix,
        this.keys.presenceUserPrefix,
        this.instanceId,
      );
    } catch (error) {
      // Redis is away: the heartbeat expires and the others reap this process.
      this.logger.warn({
        msg: 'Could not remove presence on shutdown; it expires with the heartbeat',
        err: String(error),
      });
    }
    this.localSockets.clear();
    this.localCountByUser.clear();
  }

  private async tick(): Promise<void> {
    if (this.closed || this.beating) return;
    this.beating = this.heartbeat({ throwOnError: false }).finally(
      () => (this.beating = undefined),
    );
    await this.beating;
  }

  /**
   * Refreshes the heartbeat; if it had expired (this process was reaped or Redis lost its
   * data) or a write failed since, rewrites this process's sockets; then reaps the dead.
   */
  private async heartbeat({ throwOnError }: { throwOnError: boolean }): Promise<void> {
    try {
      const previous = await this.redis.set(
        this.keys.presenceHeartbeat(this.instanceId),
        String(Date.now()),
        'PX',
        this.heartbeatTtlMs,
        'GET',
      );
      if (previous === null || this.dirty) await this.rewriteOwnSockets();
      await this.redis.eval(
        REAP_DEAD_INSTANCES,
        2,
        this.keys.presenceInstances,
        this.keys.presenceUsers,
        this.keys.presenceHeartbeatPrefix,
        this.keys.presenceInstanceSocketsPrefix,
        this.keys.presenceUserPrefix,
        '',
      );
      if (this.degraded) {
        this.degraded = false;
        this.logger.log({
          msg: 'Presence is cluster-wide again',
          instanceId: this.instanceId,
          sockets: this.localSockets.size,
        });
      }
    } catch (error) {
      if (throwOnError) throw error;
      this.noteFailure(error);
    }
  }

  private async rewriteOwnSockets(): Promise<void> {
    // Cleared before the write: a failure of a write racing with this one sets it again.
    this.dirty = false;
    const pairs: string[] = [];
    for (const [socketId, userId] of this.localSockets) pairs.push(socketId, userId);
    try {
      await this.redis.eval(
        REPLACE_INSTANCE_SOCKETS,
        3,
        this.keys.presenceInstanceSockets(this.instanceId),
        this.keys.presenceInstances,
        this.keys.presenceUsers,
        this.keys.presenceUserPrefix,
        this.instanceId,
        ...pairs,
      );
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private async write(transaction: ReturnType<Redis['multi']>): Promise<void> {
    try {
      const results = await transaction.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
    } catch (error) {
      // The mirror is right; Redis is brought back in line by the next heartbeat.
      this.dirty = true;
      this.noteFailure(error);
    }
  }

  private noteFailure(error: unknown): void {
    if (this.degraded || this.closed) return;
    this.degraded = true;
    this.logger.warn({
      msg: 'Redis unreachable: presence answers for this process only until it returns',
      instanceId: this.instanceId,
      err: error instanceof Error ? error.message : String(error),
    });
  }
}

function assertSocketId(socketId: string): void {
  // Socket.IO ids are base64url; ':' would break the member encoding.
  if (!socketId || socketId.includes(':'))
    throw new Error(`Redis presence: invalid socket id "${socketId}"`);
}
