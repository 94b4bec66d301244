import { Logger } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server } from 'socket.io';
import { RedisPresenceStore, type RedisPresenceOptions } from '../presence/redis-presence.store';
import type { RealtimeRedisOptions } from '../realtime.options';
import { RedisRevocationStore } from '../revocation/token-revocations';
import { deferRecoveryUntilAuthenticated } from './authenticated-recovery';
import type { ClusterBackend } from './cluster-backend';
import { deliverLocallyWithoutWaitingForRedis } from './local-first-delivery';
import { deliverLargeBroadcastsInSlices } from './sliced-broadcast';
import {
  createRedisConnection,
  redactRedisUrl,
  waitUntilReady,
  type HeraldRedis,
} from './redis-connection';
import { clusterKeys, STREAM_MAX_LEN, type ClusterKeys } from './redis-keys';

/** Shown in logs and health: Socket.IO's Redis Streams adapter. */
export const REDIS_STREAMS_ADAPTER = 'redis-streams';

/** How long a Redis command may go unanswered before it fails (see RealtimeRedisOptions). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1_000;

/** How long a dropped socket can come back and receive what it missed. */
export const DEFAULT_RECOVERY_WINDOW_MS = 2 * 60 * 1_000;

export interface RedisClusterBackendOptions extends RealtimeRedisOptions {
  /** How long start-up waits for Redis before failing. Default 10 s. */
  connectTimeoutMs?: number;
  presence?: Pick<RedisPresenceOptions, 'heartbeatIntervalMs' | 'heartbeatTtlMs'>;
  /** Connection state recovery window (Socket.IO `maxDisconnectionDuration`). Default 2 min. */
  recoveryWindowMs?: number;
  /** How long a broadcast waits for Redis before local delivery goes ahead. Default 100 ms. */
  localDeliveryWaitMs?: number;
}

/** The class name of the adapter instances `@socket.io/redis-streams-adapter` creates. */
const STREAMS_ADAPTER_CLASS = 'RedisStreamsAdapter';

/**
 * Cluster mode: Socket.IO's Redis Streams adapter carries every emit between processes,
 * and presence lives in Redis (see docs/scaling.md for why streams rather than pub/sub).
 *
 * Connections (all ioredis, which reconnects with jittered backoff and resubscribes):
 * - `commands`: XADD, PUBLISH, presence. No offline queue: while Redis is down a command
 *   fails at once, and a command Redis does not answer fails after `commandTimeoutMs`;
 *   an emit is delivered to this process's sockets without waiting for either
 *   (local-first-delivery.ts);
 * - the adapter's stream reader and pub/sub subscriber (duplicates of `commands`) wait for
 *   Redis instead; the reader resumes the stream from its last offset when Redis is back.
 */
export class RedisClusterBackend implements ClusterBackend {
  readonly adapterName = REDIS_STREAMS_ADAPTER;
  private readonly logger = new Logger('Cluster');
  private readonly connections: HeraldRedis[] = [];
  readonly revocations: RedisRevocationStore;
  private server?: Server;
  private closed = false;
  /** `starting` until every connection was ready once, so start-up is not reported as an outage. */
  private state: 'starting' | 'healthy' | 'degraded' = 'starting';

  private constructor(
    private readonly commands: HeraldRedis,
    readonly presence: RedisPresenceStore,
    private readonly keys: ClusterKeys,
    private readonly options: RedisClusterBackendOptions,
  ) {
    this.revocations = new RedisRevocationStore(commands, keys.prefix);
    this.track(commands);
    // The adapter creates its reader and subscriber with duplicate(): watch them as well.
    commands.onDuplicate = (connection) => this.track(connection);
  }

  /** Connects to Redis and registers this process's presence; fails with one clear line. */
  static async connect(options: RedisClusterBackendOptions): Promise<RedisClusterBackend> {
    const keys = clusterKeys(options.keyPrefix);
    const commands = createRedisConnection(options.url, `${keys.prefix}:adapter`, {
      offlineQueue: false,
      commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    });
    try {
      await waitUntilReady(commands, options.url, options.connectTimeoutMs ?? 10_000);
      const presence = new RedisPresenceStore(commands, {
        keyPrefix: keys.prefix,
        ...options.presence,
      });
      await presence.start();
      return new RedisClusterBackend(commands, presence, keys, options);
    } catch (error) {
      commands.disconnect();
      throw error;
    }
  }

  /**
   * Installs the Redis Streams adapter (replacing the default one of every namespace) and
   * turns on connection state recovery. Socket.IO reads `connectionStateRecovery` from the
   * server's options at run time, so setting it here, before the server accepts anyone, is
   * the same as passing it to the constructor. Socket.IO would restore a session before
   * any middleware ran; the adapter is wrapped so that recovery happens only after the
   * handshake authentication, for the same user (see authenticated-recovery.ts). It also
   * delivers large broadcasts a slice at a time (sliced-broadcast.ts).
   */
  attach(server: Server): void {
    if (this.server) throw new Error('RedisClusterBackend is already attached to a server');
    this.server = server;
    server._opts.connectionStateRecovery = {
      maxDisconnectionDuration: this.options.recoveryWindowMs ?? DEFAULT_RECOVERY_WINDOW_MS,
      skipMiddlewares: false,
    };
    server.adapter(
      deferRecoveryUntilAuthenticated(
        deliverLocallyWithoutWaitingForRedis(
          deliverLargeBroadcastsInSlices(
            createAdapter(this.commands, {
              streamName: this.keys.stream,
              channelPrefix: this.keys.channelPrefix,
              sessionKeyPrefix: this.keys.sessionKeyPrefix,
              maxLen: STREAM_MAX_LEN,
            }),
          ),
          this.options.localDeliveryWaitMs,
        ),
      ),
    );
    const active = server.of('/').adapter.constructor.name;
    if (active !== STREAMS_ADAPTER_CLASS) {
      throw new Error(`Cluster mode needs the Redis Streams adapter, but "${active}" is active`);
    }
    this.logger.log({
      msg: 'Socket.IO adapter active',
      adapter: this.adapterName,
      redis: redactRedisUrl(this.options.url),
      keyPrefix: this.keys.prefix,
      stream: this.keys.stream,
      presenceInstance: this.presence.instanceId,
      connectionStateRecovery: true,
    });
  }

  /**
   * Every connection (commands, stream reader, subscriber) is up and Redis answers a PING
   * within the command timeout: a connected Redis that stopped answering is down too.
   */
  async isHealthy(): Promise<boolean> {
    const connected =
      !this.closed &&
      this.connections.length > 0 &&
      this.connections.every((c) => c.status === 'ready');
    if (!connected) return false;
    try {
      return (await this.commands.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** One entry per connection, e.g. `herald:adapter=ready herald:adapter-copy1=reconnecting`, for logs. */
  describeConnections(): string {
    return this.connections.map((c) => `${c.purpose}=${c.status}`).join(' ');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.presence.close();
    // Normally io.close() already closed the adapters; if not, stop the stream reader's loop
    // before its connection goes away.
    for (const namespace of this.server?._nsps.values() ?? []) namespace.adapter.close();
    // The reader may sit in a blocking XREAD (a QUIT would wait behind it): cut it. The
    // command connection quits politely once its last commands are answered.
    for (const connection of this.connections)
      if (connection !== this.commands) connection.disconnect();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private track(connection: HeraldRedis): void {
    this.connections.push(connection);
    connection.on('ready', () => this.noteState());
    connection.on('close', () => this.noteState());
  }

  /** Logs each transition between healthy and degraded once, not once per connection event. */
  private noteState(): void {
    // 'end' only follows a deliberate disconnect (the retry strategy never gives up): shutdown.
    if (this.closed || this.connections.some((c) => c.status === 'end')) return;
    const healthy = this.connections.every((c) => c.status === 'ready');
    if (healthy && this.state !== 'healthy') {
      if (this.state === 'degraded') {
        this.logger.log({
          msg: 'Redis is back: cross-process delivery resumed',
          connections: this.describeConnections(),
        });
      }
      this.state = 'healthy';
    } else if (!healthy && this.state === 'healthy') {
      this.state = 'degraded';
      this.logger.warn({
        msg: 'Redis connection lost: serving this process only until it returns',
        connections: this.describeConnections(),
      });
    }
  }
}
