export * from './lib/errors';
export * from './lib/realtime.options';
export * from './lib/event-registry';
export * from './lib/auth/token-verifier';
export * from './lib/auth/jwt-auth.guard';
export * from './lib/auth/api-key.guard';
export * from './lib/http/zod-validation.pipe';
