/**
 * The publish endpoints: service calls that emit to sockets or store notifications, the
 * work whose latency the delivery SLO is about. Everything else (user endpoints, health,
 * metrics, reads) is never shed. Matched on the raw path, before routing, the way Express
 * routes it: case-insensitive, an optional trailing slash, the query string ignored.
 */
const PUBLISH_PATH =
  /^\/api\/(?:realtime\/(?:users\/[^/]+\/events|broadcast|events)|notifications(?:\/batch)?|gamification\/xp|groups\/[^/]+\/messages)\/?$/i;

export function isPublishRequest(method: string, path: string): boolean {
  return method === 'POST' && PUBLISH_PATH.test(path);
}
