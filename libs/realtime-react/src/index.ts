export * from './lib/realtime-provider';
export * from './lib/hooks';
export type {
  ConnectionState,
  ConnectionStatus,
  EmitResult,
  InboxMutationResult,
  InboxSnapshot,
  RealtimeClient,
  RealtimeClientOptions,
} from '@herald/realtime-client';
