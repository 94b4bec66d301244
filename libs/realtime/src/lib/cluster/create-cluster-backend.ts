import { Logger } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../realtime.options';
import { SingleProcessBackend, type ClusterBackend } from './cluster-backend';
import { RedisClusterBackend } from './redis-cluster-backend';

/**
 * Builds the backend for the options: with `redis`, the Redis Streams adapter and Redis
 * presence (start-up fails with one clear line if Redis cannot be reached); without it,
 * one process in memory.
 */
export async function createClusterBackend(
  options: ResolvedRealtimeOptions,
): Promise<ClusterBackend> {
  if (options.redis) return RedisClusterBackend.connect(options.redis);
  new Logger('Realtime').log({
    msg: 'Socket.IO adapter active',
    adapter: 'in-memory',
    cluster: false,
  });
  return new SingleProcessBackend();
}
