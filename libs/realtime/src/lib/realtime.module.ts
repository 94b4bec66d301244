import {
  Global,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { ApiKeyGuard, SERVICE_API_KEY } from './auth/api-key.guard';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import { CLUSTER_BACKEND, createClusterBackend } from './cluster/cluster-backend';
import { RealtimeEventRegistry } from './event-registry';
import { HandshakeAuthenticator } from './gateway/handshake-authenticator';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { SocketServerRef } from './gateway/socket-server.ref';
import { RealtimeServiceController } from './http/realtime-service.controller';
import { PRESENCE_STORE } from './presence/presence-store';
import {
  REALTIME_OPTIONS,
  resolveRealtimeOptions,
  type RealtimeModuleOptions,
  type ResolvedRealtimeOptions,
} from './realtime.options';
import { RateLimiterFactory } from './rate-limit/rate-limiter.factory';
import { RealtimeStats } from './realtime-stats';
import { WebSocketService } from './websocket.service';

export interface RealtimeModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => RealtimeModuleOptions | Promise<RealtimeModuleOptions>;
  /** Mount the service HTTP endpoints; decided here because controllers are static. Default true. */
  serviceEndpoints?: boolean;
}

/**
 * Herald's realtime module: the Socket.IO gateway with handshake authentication, user
 * rooms, presence and `WebSocketService`. Global, so any module can inject
 * `WebSocketService` and `RealtimeEventRegistry` without importing it again.
 *
 * The app must also install `RealtimeIoAdapter` before it listens.
 */
@Global()
@Module({})
export class RealtimeModule {
  static forRoot(options: RealtimeModuleOptions): DynamicModule {
    return RealtimeModule.build(
      { provide: REALTIME_OPTIONS, useValue: resolveRealtimeOptions(options) },
      [],
      options.serviceEndpoints ?? true,
    );
  }

  static forRootAsync(options: RealtimeModuleAsyncOptions): DynamicModule {
    return RealtimeModule.build(
      {
        provide: REALTIME_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: never[]) =>
          resolveRealtimeOptions(await options.useFactory(...args)),
      },
      options.imports ?? [],
      options.serviceEndpoints ?? true,
    );
  }

  private static build(
    optionsProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
    serviceEndpoints: boolean,
  ): DynamicModule {
    const providers: Provider[] = [
      optionsProvider,
      {
        provide: TokenVerifier,
        inject: [REALTIME_OPTIONS],
        useFactory: (o: ResolvedRealtimeOptions) => new TokenVerifier(o.jwt),
      },
      {
        provide: SERVICE_API_KEY,
        inject: [REALTIME_OPTIONS],
        useFactory: (o: ResolvedRealtimeOptions) => o.apiKey,
      },
      { provide: CLUSTER_BACKEND, inject: [REALTIME_OPTIONS], useFactory: createClusterBackend },
      {
        provide: PRESENCE_STORE,
        inject: [CLUSTER_BACKEND],
        useFactory: (backend: Awaited<ReturnType<typeof createClusterBackend>>) => backend.presence,
      },
      JwtAuthGuard,
      ApiKeyGuard,
      RealtimeEventRegistry,
      SocketServerRef,
      HandshakeAuthenticator,
      RealtimeGateway,
      RealtimeStats,
      RateLimiterFactory,
      WebSocketService,
    ];
    return {
      module: RealtimeModule,
      global: true,
      imports,
      controllers: serviceEndpoints ? [RealtimeServiceController] : [],
      providers,
      exports: [
        REALTIME_OPTIONS,
        TokenVerifier,
        SERVICE_API_KEY,
        CLUSTER_BACKEND,
        PRESENCE_STORE,
        JwtAuthGuard,
        ApiKeyGuard,
        RealtimeEventRegistry,
        RealtimeStats,
        RateLimiterFactory,
        WebSocketService,
      ],
    };
  }
}
