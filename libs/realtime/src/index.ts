// The public API of @herald/realtime. Everything else under lib/ is internal and may change.

// The module and its options
export { RealtimeModule } from './lib/realtime.module';
export type {
  RealtimeModuleAsyncOptions,
  RealtimeModuleForRootOptions,
} from './lib/realtime.module-definition';
export type {
  RealtimeLimits,
  RealtimeModuleExtras,
  RealtimeModuleOptions,
  RealtimeOptionsFactory,
  RealtimeRedisOptions,
  RealtimeTransport,
  ResolvedRealtimeOptions,
} from './lib/interfaces/realtime-module-options.interface';
export { DEFAULT_REALTIME_LIMITS, REALTIME_OPTIONS } from './lib/realtime.options';

// Installing the gateway in an application
export { RealtimeIoAdapter } from './lib/gateway/realtime-io.adapter';
export { RealtimeWsExceptionFilter } from './lib/gateway/realtime-ws-exception.filter';
export type { HeraldNamespace, HeraldServer, HeraldSocket } from './lib/gateway/socket-types';

// Emitting and handling events
export { WebSocketService } from './lib/websocket.service';
export { RealtimeEventRegistry } from './lib/event-registry';
export type {
  ClientEventContext,
  ClientEventHandler,
  ClientEventRegistration,
  ConnectionHook,
  RoomResolver,
} from './lib/event-registry';
// The edge mapping from anything thrown to a client-facing HeraldError (HTTP and sockets)
export {
  INTERNAL_ERROR_MESSAGE,
  errorCodeForHttpStatus,
  toErrorDetail,
  toHeraldError,
} from './lib/errors';

// Authentication for the application's own HTTP endpoints
export { createTokenVerifier, TokenVerifier } from './lib/auth/token-verifier';
export type { AuthenticatedUser, JwtVerificationOptions } from './lib/auth/token-verifier';
export { TokenKeyConfigurationError, TokenKeys } from './lib/auth/token-keys';
export type { JwtAlgorithm, TokenKeyOptions } from './lib/auth/token-keys';
export type { JwksCacheOptions } from './lib/auth/jwks-key-store';
export { CurrentUser, JwtAuthGuard } from './lib/auth/jwt-auth.guard';
export { ApiKeyGuard } from './lib/auth/api-key.guard';
export { ApiKeyMatcher } from './lib/auth/api-key-matcher';
export { describeIssues, ZodValidationPipe } from './lib/http/zod-validation.pipe';
// The service endpoints' controller and body validation, for callers that answer the same
// requests without the framework's request pipeline (the application's fast lane)
export { RealtimeServiceController } from './lib/http/realtime-service.controller';
export { ServerEventBatchBodyPipe } from './lib/http/server-event-batch-body.pipe';
export { ServerEventBodyPipe } from './lib/http/server-event-body.pipe';
export type { ValidServerEventBody } from './lib/http/server-event-body.pipe';

// Operating the gateway: counters, presence, cluster health
export { RealtimeStats } from './lib/realtime-stats';
export type { ClientEventOutcome, HandshakeOutcome } from './lib/realtime-stats';
export { PRESENCE_STORE } from './lib/presence/presence-store';
export type { PresenceEntry, PresenceListPage, PresenceStore } from './lib/presence/presence-store';
export { DEFAULT_PRESENCE_PAGE_SIZE, MAX_PRESENCE_PAGE_SIZE } from './lib/presence/presence-list';
export type { ConnectedUsersPage } from './lib/presence/presence-list';
export type { ClusterDisconnectOutcome } from './lib/cluster/cluster-disconnect';
export type { UserDisconnectResponse } from './lib/http/realtime-service.controller';

// Client addresses and per-client limits
export { clientAddress, rateLimitKeyFor } from './lib/gateway/client-address';

// Refusing tokens issued before a revocation ("sign out everywhere" that sticks)
export {
  DEFAULT_REVOCATION_TTL_SECONDS,
  InMemoryRevocationStore,
  RedisRevocationStore,
  TokenRevocations,
} from './lib/revocation/token-revocations';
export type { RevocationStore } from './lib/revocation/token-revocations';
export { CLUSTER_BACKEND } from './lib/cluster/cluster-backend';
export type { ClusterBackend } from './lib/cluster/cluster-backend';
export { broadcastSlicesWritten } from './lib/cluster/sliced-broadcast';

// Publishing to the cluster from any Node process (no Nest needed)
export { EmitterValidationError, RealtimeEmitter } from './lib/cluster/realtime-emitter';
export type { RealtimeEmitterOptions } from './lib/cluster/realtime-emitter';

// Rate limits for the application's own endpoints (in Redis across a cluster)
export { KeyedRateLimiter } from './lib/rate-limit/keyed-rate-limiter';
export type {
  RateLimitDecision,
  RateLimitRule,
  RateLimitStore,
} from './lib/rate-limit/keyed-rate-limiter';
export { RateLimiterFactory } from './lib/rate-limit/rate-limiter.factory';
