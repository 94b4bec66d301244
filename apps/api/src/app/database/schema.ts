/**
 * Every table of the API, for Drizzle (typed queries) and drizzle-kit (migrations).
 * Each feature owns its tables in its own folder; this file only gathers them.
 */
export * from '../notifications/notifications.schema';
export * from '../gamification/gamification.schema';
export * from '../idempotency/idempotency.schema';
export * from '../users/users.schema';
export * from '../preferences/preferences.schema';
export * from '../escalation/escalation.schema';
