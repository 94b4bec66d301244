/**
 * Version of the wire contract. Bump the major on any breaking change to an event
 * name or payload shape; clients may compare it with the server's `GET /api/health`.
 */
export const CONTRACT_VERSION = '1.0.0';
