import type { RealtimeClient, ServerEventHandler } from '@herald/realtime-client';
import type { ServerEventPayloads } from '@herald/ws-contracts';

/** Subscribes to a server event; returns the unsubscribe function. */
export type SubscribeToEvent = <E extends keyof ServerEventPayloads>(
  event: E,
  handler: ServerEventHandler<E>,
) => () => void;

interface Subscription {
  /** Subscribes this subscription's listener on `client`; returns the unsubscribe function. */
  bind: (client: RealtimeClient) => () => void;
  /** Unsubscribes from the bound client; null while no client is bound. */
  detach: (() => void) | null;
}

/**
 * The event subscriptions of one component, independent of which client currently serves
 * them. `on` can be called at any time, even before the provider has a client, and keeps
 * its identity for the component's whole life; `attach` (re)binds every live subscription
 * to a client. The client keeps its listeners across reconnects of its socket, and
 * re-attaching on a client change carries them over to a new token's connection.
 */
export class EventSubscriptions {
  private client: RealtimeClient | null = null;
  private readonly subscriptions = new Set<Subscription>();

  readonly on: SubscribeToEvent = (event, handler) => {
    // A listener unique to this subscription: one handler subscribed twice stays two
    // listeners, and each unsubscribe removes only its own.
    const listener: typeof handler = (payload) => handler(payload);
    const subscription: Subscription = {
      bind: (client) => client.on(event, listener),
      detach: null,
    };
    this.subscriptions.add(subscription);
    if (this.client) subscription.detach = subscription.bind(this.client);
    return () => {
      // Idempotent: a second call (e.g. a cleanup run twice) must not touch anything else.
      if (!this.subscriptions.delete(subscription)) return;
      subscription.detach?.();
      subscription.detach = null;
    };
  };

  /** Binds every subscription (present and future) to `client`; returns the unbind function. */
  attach(client: RealtimeClient): () => void {
    this.client = client;
    for (const subscription of this.subscriptions) {
      subscription.detach = subscription.bind(client);
    }
    return () => {
      for (const subscription of this.subscriptions) {
        subscription.detach?.();
        subscription.detach = null;
      }
      if (this.client === client) this.client = null;
    };
  }
}
