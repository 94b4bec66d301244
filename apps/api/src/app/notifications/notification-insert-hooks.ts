import { Injectable } from '@nestjs/common';
import type { Notification } from '@herald/ws-contracts';
import type { Database } from '../database/database.types';
import type { NotificationSend } from './notification-send';

/**
 * Work that must commit with the notifications it is about, e.g. the escalation schedule:
 * it runs in the INSERT's transaction, so a crash can never keep the notifications and
 * lose it. `stored` holds one list per send, in the order of `sends`.
 */
export type AfterNotificationInsert = (
  tx: Database,
  sends: readonly NotificationSend[],
  stored: readonly (readonly Notification[])[],
) => Promise<void>;

/**
 * Where other modules hook into the store of notifications without the inbox knowing them.
 * With no hook registered a send stays one statement and no transaction.
 */
@Injectable()
export class NotificationInsertHooks {
  private readonly hooks: AfterNotificationInsert[] = [];

  /** Registers a hook (in `onModuleInit`); every later store runs it. */
  register(hook: AfterNotificationInsert): void {
    this.hooks.push(hook);
  }

  get active(): boolean {
    return this.hooks.length > 0;
  }

  async run(
    tx: Database,
    sends: readonly NotificationSend[],
    stored: readonly (readonly Notification[])[],
  ): Promise<void> {
    for (const hook of this.hooks) await hook(tx, sends, stored);
  }
}
