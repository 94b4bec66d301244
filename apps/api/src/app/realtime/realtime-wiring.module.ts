import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import {
  CLUSTER_BACKEND,
  RealtimeModule,
  RealtimeStats,
  WebSocketService,
  type ClusterBackend,
} from '@herald/realtime';
import type { Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HealthRegistry } from '../health/health.registry';
import { METRICS_REGISTRY } from '../metrics/metrics.registry';
import { GroupsModule } from './groups/groups.module';
import { registerRealtimeMetrics } from './realtime-metrics';

/**
 * The API's use of @herald/realtime: options from the validated configuration, a
 * non-critical `websocket` health check (adapter and sockets on this process), the
 * gateway's counters as Prometheus metrics, and the group rooms demo.
 */
@Module({
  imports: [
    RealtimeModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        path: config.wsPath,
        corsOrigins: config.corsOrigins,
        transports: config.wsTransports,
        jwt: config.jwt,
        limits: {
          maxMessageBytes: config.limits.wsMaxMessageBytes,
          eventBurst: config.limits.wsRateBurst,
          eventsPerSecond: config.limits.wsRatePerSecond,
          handshakeBurst: config.limits.handshakeBurst,
          handshakesPerSecond: config.limits.handshakePerSecond,
          maxSocketsPerAddress: config.limits.wsMaxSocketsPerIp,
        },
        redis: config.redis,
        apiKey: config.apiKey,
      }),
    }),
    GroupsModule,
  ],
})
export class RealtimeWiringModule implements OnModuleInit {
  constructor(
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(CLUSTER_BACKEND) private readonly cluster: ClusterBackend,
    @Inject(RealtimeStats) private readonly stats: RealtimeStats,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  onModuleInit(): void {
    registerRealtimeMetrics(this.metrics, this.ws, this.stats);
    this.health.register({
      name: 'websocket',
      critical: false,
      check: () => ({
        status: 'up',
        detail: `adapter=${this.ws.adapterName} connections=${this.ws.localConnections}`,
      }),
    });
    // Not critical: without Redis each process still serves its own sockets (degraded).
    this.health.register({
      name: 'redis',
      critical: false,
      check: async () => {
        if (this.cluster.adapterName === 'in-memory')
          return { status: 'disabled', detail: 'REDIS_URL unset: one process' };
        return (await this.cluster.isHealthy())
          ? { status: 'up', detail: `adapter=${this.cluster.adapterName}` }
          : {
              status: 'down',
              detail: 'Redis unreachable: serving this process only, cross-process delivery paused',
            };
      },
    });
  }
}
