export * from './lib/realtime-provider';
export * from './lib/hooks';
export type { SubscribeToEvent } from './lib/event-subscriptions';
export * from './lib/use-preferences';
export type {
  ConnectionState,
  ConnectionStatus,
  EmitResult,
  HeraldSocket,
  InboxMutationResult,
  InboxSnapshot,
  RealtimeClient,
  RealtimeClientOptions,
  ServerEventHandler,
} from '@herald/realtime-client';
