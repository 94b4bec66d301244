import { Injectable } from '@nestjs/common';
import type { ClientEventPayloads, ClientEventResults } from '@herald/ws-contracts';
import type { z } from 'zod';
import type { AuthenticatedUser } from './auth/token-verifier';

export interface ClientEventContext {
  user: AuthenticatedUser;
  socketId: string;
}

type ResultOf<E> = E extends keyof ClientEventResults ? ClientEventResults[E] : object;

export type ClientEventHandler<E extends keyof ClientEventPayloads> = (
  context: ClientEventContext,
  payload: ClientEventPayloads[E],
) => Promise<ResultOf<E>> | ResultOf<E>;

/** Runs after a socket is authenticated and joined, e.g. to send it the unread count. */
export type ConnectionHook = (user: AuthenticatedUser, socketId: string) => Promise<void> | void;

/** Extra rooms (besides `user:{id}`) a socket joins on connect; the server alone decides. */
export type RoomResolver = (user: AuthenticatedUser) => Promise<string[]> | string[];

interface Registration {
  handler: ClientEventHandler<never>;
  schema?: z.ZodType;
}

/**
 * Where application modules plug into the gateway without the gateway knowing them:
 * handlers for client → server events, connection hooks and room resolvers. Modules
 * register in `onModuleInit`; the gateway validates, rate-limits and acknowledges.
 */
@Injectable()
export class RealtimeEventRegistry {
  private readonly handlers = new Map<string, Registration>();
  private readonly connectHooks: ConnectionHook[] = [];
  private readonly roomResolvers: RoomResolver[] = [];

  /**
   * Handles a client event. Contract events are validated with the contract's schema;
   * an application's own event passes its schema here.
   */
  handle<E extends keyof ClientEventPayloads>(event: E, handler: ClientEventHandler<E>, schema?: z.ZodType): void {
    if (this.handlers.has(event)) throw new Error(`A handler for "${event}" is already registered`);
    this.handlers.set(event, { handler: handler as unknown as ClientEventHandler<never>, schema });
  }

  onConnect(hook: ConnectionHook): void {
    this.connectHooks.push(hook);
  }

  addRoomResolver(resolver: RoomResolver): void {
    this.roomResolvers.push(resolver);
  }

  registrationFor(event: string): Registration | undefined {
    return this.handlers.get(event);
  }

  async runConnectHooks(user: AuthenticatedUser, socketId: string): Promise<void> {
    for (const hook of this.connectHooks) await hook(user, socketId);
  }

  async roomsFor(user: AuthenticatedUser): Promise<string[]> {
    const lists = await Promise.all(this.roomResolvers.map((resolve) => resolve(user)));
    return [...new Set(lists.flat())];
  }
}
