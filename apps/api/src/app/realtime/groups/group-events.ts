import { z } from 'zod';

/**
 * The demo's own server → client event, added to Herald's typed contract by module
 * augmentation: `WebSocketService.emitToRoom(room, 'group:message', …)` is type-checked
 * like a contract event, and a misspelt name or a wrong payload does not compile.
 */
export const GROUP_MESSAGE_EVENT = 'group:message';

export const groupIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _');

export const groupMessageBodySchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(2_000, 'must be at most 2000 characters'),
});

export interface GroupMessagePayload {
  groupId: string;
  text: string;
  sentAt: string;
}

declare module '@herald/ws-contracts' {
  interface ServerEventPayloads {
    'group:message': GroupMessagePayload;
  }
}

/** The room of a group; only the server puts sockets in it. */
export function groupRoom(groupId: string): `group:${string}` {
  return `group:${groupId}`;
}
