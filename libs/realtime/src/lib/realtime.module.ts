import { Module, type Provider } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { ApiKeyGuard, SERVICE_API_KEY } from './auth/api-key.guard';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { TokenKeys } from './auth/token-keys';
import { createJwtModuleOptions, TokenVerifier } from './auth/token-verifier';
import { CLUSTER_BACKEND, type ClusterBackend } from './cluster/cluster-backend';
import { createClusterBackend } from './cluster/create-cluster-backend';
import { RealtimeEventRegistry } from './event-registry';
import { HandshakeAuthenticator } from './gateway/handshake-authenticator';
import { RealtimeGateway } from './gateway/realtime.gateway';
import { SocketServerRef } from './gateway/socket-server.ref';
import type {
  RealtimeModuleOptions,
  ResolvedRealtimeOptions,
} from './interfaces/realtime-module-options.interface';
import { PRESENCE_STORE } from './presence/presence-store';
import { ConfigurableRealtimeModule, RAW_REALTIME_OPTIONS } from './realtime.module-definition';
import { REALTIME_OPTIONS, resolveRealtimeOptions } from './realtime.options';
import { RateLimiterFactory } from './rate-limit/rate-limiter.factory';
import { RealtimeStats } from './realtime-stats';
import { TokenRevocations } from './revocation/token-revocations';
import { WebSocketService } from './websocket.service';

const providers: Provider[] = [
  {
    provide: REALTIME_OPTIONS,
    inject: [RAW_REALTIME_OPTIONS],
    useFactory: (options: RealtimeModuleOptions) => resolveRealtimeOptions(options),
  },
  {
    provide: TokenKeys,
    inject: [REALTIME_OPTIONS],
    useFactory: (options: ResolvedRealtimeOptions) => new TokenKeys(options.jwt),
  },
  {
    provide: TokenVerifier,
    inject: [JwtService, REALTIME_OPTIONS, TokenKeys],
    useFactory: (jwt: JwtService, options: ResolvedRealtimeOptions, keys: TokenKeys) =>
      new TokenVerifier(jwt, options.jwt, keys),
  },
  {
    provide: SERVICE_API_KEY,
    inject: [REALTIME_OPTIONS],
    useFactory: (options: ResolvedRealtimeOptions) => options.apiKey,
  },
  { provide: CLUSTER_BACKEND, inject: [REALTIME_OPTIONS], useFactory: createClusterBackend },
  {
    provide: PRESENCE_STORE,
    inject: [CLUSTER_BACKEND],
    useFactory: (backend: ClusterBackend) => backend.presence,
  },
  {
    provide: TokenRevocations,
    inject: [CLUSTER_BACKEND, REALTIME_OPTIONS],
    useFactory: (backend: ClusterBackend, options: ResolvedRealtimeOptions) =>
      new TokenRevocations(backend.revocations, options.revocationTtlSeconds),
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

/**
 * Herald's realtime module: the Socket.IO gateway with handshake authentication, a room
 * per user, presence, and `WebSocketService` to emit typed events. Global, so any module
 * injects `WebSocketService`, `RealtimeEventRegistry`, `TokenVerifier` and the
 * `JwtService` (`@nestjs/jwt`, HS256 with `jwt.secret`) without importing it again.
 *
 *   RealtimeModule.forRoot({ jwt: { secret }, corsOrigins: ['https://app.example.com'] })
 *
 *   RealtimeModule.forRootAsync({
 *     imports: [ConfigModule],
 *     inject: [ConfigService],
 *     useFactory: (config: ConfigService) => ({ jwt: { secret: config.get('JWT_SECRET') } }),
 *   })
 *
 * The application must also install `RealtimeIoAdapter` before it listens; the gateway
 * refuses to start without it rather than accept unauthenticated sockets.
 */
@Module({
  imports: [
    // Every token is signed and verified by @nestjs/jwt; the keys come from the options
    // (TokenKeys, visible here because this module is global).
    JwtModule.registerAsync({
      inject: [TokenKeys, REALTIME_OPTIONS],
      useFactory: (keys: TokenKeys, options: ResolvedRealtimeOptions) =>
        createJwtModuleOptions(keys, options.jwt),
    }),
  ],
  providers,
  exports: [
    JwtModule,
    REALTIME_OPTIONS,
    TokenKeys,
    TokenVerifier,
    SERVICE_API_KEY,
    CLUSTER_BACKEND,
    PRESENCE_STORE,
    TokenRevocations,
    JwtAuthGuard,
    ApiKeyGuard,
    RealtimeEventRegistry,
    RealtimeStats,
    RateLimiterFactory,
    WebSocketService,
  ],
})
export class RealtimeModule extends ConfigurableRealtimeModule {}
