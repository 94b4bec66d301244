import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RealtimeEventRegistry } from '@herald/realtime';
import { MicroBatcher } from '../database/micro-batcher';
import { BurstGate } from '../realtime/burst-gate';
import { UsersRepository } from './users.repository';

/** Users whose last recorded address this process remembers (a bounded, LRU-ish cache). */
const REMEMBERED_USERS = 10_000;
/** Addresses recorded per statement at most. */
const MAX_PER_BATCH = 500;
/** How long the writes of a connect storm wait for each other; nobody waits for them. */
const WRITE_BURST_WINDOW_MS = 50;

/**
 * Keeps the address escalations are e-mailed to equal to the `email` claim of the user's
 * latest token. A connect writes only when the address is not the one this process last
 * recorded for that user, and writes of a connect storm share one statement per burst, so
 * reconnects cost the database nothing.
 */
@Injectable()
export class UserEmailRecorder implements OnModuleInit {
  private readonly logger = new Logger(UserEmailRecorder.name);
  private readonly recorded = new Map<string, string>();
  private readonly writes = new MicroBatcher<{ userId: string; email: string }, void>(
    async (entries) => {
      // The last entry per user wins: it came from the newest handshake.
      const latest = new Map(entries.map((e) => [e.userId, e]));
      await this.users.recordEmails([...latest.values()]);
      return entries.map(() => undefined);
    },
    { maxWeight: MAX_PER_BATCH },
  );
  private readonly connectBurst = new BurstGate(WRITE_BURST_WINDOW_MS, MAX_PER_BATCH);

  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(UsersRepository) private readonly users: UsersRepository,
  ) {}

  onModuleInit(): void {
    this.registry.onConnect(({ userId, email }) => {
      // Not awaited: the socket's other connect work never waits for this bookkeeping.
      if (email) void this.record(userId, email);
    });
  }

  async record(userId: string, email: string): Promise<void> {
    if (this.recorded.get(userId) === email) return;
    this.remember(userId, email);
    try {
      await this.connectBurst.pass();
      await this.writes.submit({ userId, email });
    } catch (error) {
      // Forget it so the next connect tries again.
      this.recorded.delete(userId);
      this.logger.warn({ msg: 'Could not record a user address', userId, err: String(error) });
    }
  }

  /** Forgets what this process recorded, e.g. after a service set another address. */
  forget(userId: string): void {
    this.recorded.delete(userId);
  }

  private remember(userId: string, email: string): void {
    this.recorded.delete(userId);
    this.recorded.set(userId, email);
    if (this.recorded.size > REMEMBERED_USERS) {
      const oldest = this.recorded.keys().next().value as string;
      this.recorded.delete(oldest);
    }
  }
}
