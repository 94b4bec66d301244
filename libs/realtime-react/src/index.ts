export * from './lib/realtime-provider';
export * from './lib/hooks';
export * from './lib/use-preferences';
export type {
  ConnectionState,
  ConnectionStatus,
  EmitResult,
  InboxMutationResult,
  InboxSnapshot,
  RealtimeClient,
  RealtimeClientOptions,
} from '@herald/realtime-client';
