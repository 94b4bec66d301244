import { Injectable } from '@nestjs/common';
import {
  clientEventSchemas,
  type ClientEventPayloads,
  type ClientEventResults,
} from '@herald/ws-contracts';
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

export interface ClientEventRegistration {
  handler: ClientEventHandler<never>;
  /** The contract's schema for contract events, the registering module's for its own. */
  schema: z.ZodType;
}

/** Events the gateway answers itself; registering them would be a mistake. */
const GATEWAY_EVENTS: readonly string[] = ['auth:refresh'];

/**
 * Where application modules plug into the gateway without the gateway knowing them:
 * handlers for client → server events, connection hooks and room resolvers. Modules
 * register in `onModuleInit`; the gateway validates, rate-limits and acknowledges.
 */
@Injectable()
export class RealtimeEventRegistry {
  private readonly handlers = new Map<string, ClientEventRegistration>();
  private readonly connectHooks: ConnectionHook[] = [];
  private readonly roomResolvers: RoomResolver[] = [];

  /**
   * Handles a client event. Contract events are validated with the contract's schema; an
   * application's own event (added to `ClientEventPayloads` by module augmentation) must
   * pass its schema here, so no payload ever reaches a handler unvalidated.
   */
  handle<E extends keyof ClientEventPayloads>(
    event: E,
    handler: ClientEventHandler<E>,
    schema?: z.ZodType,
  ): void {
    if (GATEWAY_EVENTS.includes(event))
      throw new Error(`"${event}" is handled by the gateway itself`);
    if (this.handlers.has(event)) throw new Error(`A handler for "${event}" is already registered`);
    const contractSchema = (clientEventSchemas as Record<string, z.ZodType | undefined>)[event];
    const effective = schema ?? contractSchema;
    if (!effective)
      throw new Error(`"${event}" is not a contract event: pass its schema to handle()`);
    this.handlers.set(event, {
      handler: handler as unknown as ClientEventHandler<never>,
      schema: effective,
    });
  }

  onConnect(hook: ConnectionHook): void {
    this.connectHooks.push(hook);
  }

  addRoomResolver(resolver: RoomResolver): void {
    this.roomResolvers.push(resolver);
  }

  registrationFor(event: string): ClientEventRegistration | undefined {
    return this.handlers.get(event);
  }

  /**
   * Runs every connect hook, in registration order. One failing hook does not keep the
   * others from running; each failure is passed to `onError`.
   */
  async runConnectHooks(
    user: AuthenticatedUser,
    socketId: string,
    onError: (error: unknown) => void = (error) => {
      throw error;
    },
  ): Promise<void> {
    for (const hook of this.connectHooks) {
      try {
        // A hook that finished synchronously is not awaited: no turn of the microtask queue.
        const pending = hook(user, socketId);
        if (isThenable(pending)) await pending;
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Every resolver's rooms, deduplicated. Rooms that are not strings are dropped. */
  async roomsFor(user: AuthenticatedUser): Promise<string[]> {
    const resolvers = this.roomResolvers;
    // The common handshake: one resolver, no room from it; no Promise.all, Set or copies then.
    const lists =
      resolvers.length === 1
        ? [await resolvers[0](user)]
        : await Promise.all(resolvers.map((resolve) => resolve(user)));
    if (lists.every((list) => Array.isArray(list) && list.length === 0)) return [];
    return [
      ...new Set(
        lists.flat().filter((room): room is string => typeof room === 'string' && room !== ''),
      ),
    ];
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
