export * from './lib/realtime-client';
export * from './lib/connection-state';
export * from './lib/inbox';
export { HttpError, type FetchLike } from './lib/http';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './lib/backoff';
export { readTokenExpiry } from './lib/token';
export { MAX_RECEIPT_IDS, ReceiptBatcher, type ReceiptOptions } from './lib/receipts';
