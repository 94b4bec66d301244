import * as realtime from './index';

describe('the public API of @herald/realtime', () => {
  it('exports the module, the adapter and what applications inject, by name', () => {
    for (const name of [
      'RealtimeModule',
      'REALTIME_OPTIONS',
      'DEFAULT_REALTIME_LIMITS',
      'RealtimeIoAdapter',
      'RealtimeWsExceptionFilter',
      'WebSocketService',
      'RealtimeEventRegistry',
      'toHeraldError',
      'toErrorDetail',
      'errorCodeForHttpStatus',
      'TokenVerifier',
      'JwtAuthGuard',
      'CurrentUser',
      'ApiKeyGuard',
      'ApiKeyMatcher',
      'ZodValidationPipe',
      'RealtimeStats',
      'PRESENCE_STORE',
      'CLUSTER_BACKEND',
      'RealtimeEmitter',
      'EmitterValidationError',
    ]) {
      expect(realtime, name).toHaveProperty(name);
    }
  });

  it('keeps the cluster and presence internals private', () => {
    for (const name of [
      'RealtimeGateway',
      'HandshakeAuthenticator',
      'resolveRealtimeOptions',
      'createClusterBackend',
      'RedisClusterBackend',
      'RedisPresenceStore',
      'InMemoryPresenceStore',
      'clusterKeys',
    ]) {
      expect(realtime, name).not.toHaveProperty(name);
    }
  });
});
