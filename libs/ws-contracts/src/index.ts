export * from './lib/version';
export * from './lib/events';
export * from './lib/errors';
export * from './lib/schemas';
export * from './lib/payloads';
export * from './lib/socket-maps';
export * from './lib/ack-schemas';
export * from './lib/asyncapi';
