import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  ErrorCode,
  serverEventSchemaFor,
  userIdSchema,
  userRoom,
  type ServerEventPayloads,
} from '@herald/ws-contracts';
import { createRedisConnection, waitUntilReady } from './redis-connection';
import { clusterKeys, STREAM_MAX_LEN, type ClusterKeys } from './redis-keys';

export interface RealtimeEmitterOptions {
  /** The cluster's REDIS_URL. */
  url: string;
  /** The cluster's REDIS_KEY_PREFIX. */
  keyPrefix: string;
  /** How long `connect` waits for Redis. Default 5 s. */
  connectTimeoutMs?: number;
}

/** A bad event name, payload or user id: nothing was published. */
export class EmitterValidationError extends Error {
  override readonly name = 'EmitterValidationError';
  readonly code = ErrorCode.InvalidPayload;
}

/** ClusterAdapter's message type for a broadcast (socket.io-adapter `MessageType.BROADCAST`). */
const BROADCAST_MESSAGE_TYPE = '3';
/** Socket.IO packet type of an event (socket.io-parser `PacketType.EVENT`). */
const EVENT_PACKET_TYPE = 2;
const MAIN_NAMESPACE = '/';

/**
 * Publishes typed events to Herald users from any Node process (a worker, a script, another
 * service) with nothing but the cluster's Redis URL and key prefix: no HTTP, no Nest.
 *
 *   const emitter = await RealtimeEmitter.connect({ url: process.env.REDIS_URL, keyPrefix: 'herald' });
 *   await emitter.emitToUser('user-42', 'xp:gained', { amount: 10, source: 'quiz', totalXp: 110 });
 *   await emitter.close();
 *
 * `@socket.io/redis-emitter` only speaks to the pub/sub adapter, and the streams adapter
 * has no emitter of its own, so this appends to the adapters' stream the same broadcast
 * message a Herald process writes when it emits. Every process reads it and delivers it to
 * its own sockets in the target rooms (each socket once), and it carries a stream offset, so
 * connection state recovery replays it to a socket that was briefly away.
 *
 * Payloads are validated against the contract before anything is written.
 */
export class RealtimeEmitter {
  /** Not any process's adapter uid, so every process delivers what this emitter writes. */
  private readonly uid = `emitter-${randomBytes(8).toString('hex')}`;
  private readonly keys: ClusterKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly ownsConnection = false,
  ) {
    this.keys = clusterKeys(keyPrefix);
  }

  /** Opens its own Redis connection; `close()` ends it. */
  static async connect(options: RealtimeEmitterOptions): Promise<RealtimeEmitter> {
    const keys = clusterKeys(options.keyPrefix);
    const redis = createRedisConnection(options.url, `${keys.prefix}:emitter`, {
      offlineQueue: false,
    });
    try {
      await waitUntilReady(redis, options.url, options.connectTimeoutMs ?? 5_000);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return new RealtimeEmitter(redis, keys.prefix, true);
  }

  /** To every socket of the user, on every process. */
  emitToUser<E extends keyof ServerEventPayloads>(
    userId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): Promise<void> {
    return this.emitToUsers([userId], event, payload);
  }

  /** To every socket of each user; a socket is reached once even if listed twice. */
  async emitToUsers<E extends keyof ServerEventPayloads>(
    userIds: readonly string[],
    event: E,
    payload: ServerEventPayloads[E],
  ): Promise<void> {
    if (!Array.isArray(userIds) || userIds.length === 0) {
      throw new EmitterValidationError('userIds must name at least one user');
    }
    for (const userId of userIds) {
      const parsed = userIdSchema.safeParse(userId);
      if (!parsed.success)
        throw new EmitterValidationError(`invalid user id ${JSON.stringify(userId)}`);
    }
    const data = validatedPayload(event, payload);
    await this.publish([...new Set(userIds)].map(userRoom), event, data);
  }

  /** To every connected socket of the cluster. */
  async broadcast<E extends keyof ServerEventPayloads>(
    event: E,
    payload: ServerEventPayloads[E],
  ): Promise<void> {
    await this.publish([], event, validatedPayload(event, payload));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async publish(rooms: string[], event: string, payload: unknown): Promise<void> {
    const data = JSON.stringify({
      packet: { type: EVENT_PACKET_TYPE, data: [event, payload], nsp: MAIN_NAMESPACE },
      opts: { rooms, except: [], flags: {} },
    });
    await this.redis.xadd(
      this.keys.stream,
      'MAXLEN',
      '~',
      STREAM_MAX_LEN,
      '*',
      'uid',
      this.uid,
      'nsp',
      MAIN_NAMESPACE,
      'type',
      BROADCAST_MESSAGE_TYPE,
      'data',
      data,
    );
  }
}

function validatedPayload(event: string, payload: unknown): unknown {
  const schema = serverEventSchemaFor(event);
  if (!schema) throw new EmitterValidationError(`unknown event "${String(event).slice(0, 64)}"`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
      .join('; ');
    throw new EmitterValidationError(`invalid payload for "${event}": ${issues}`);
  }
  return parsed.data;
}
