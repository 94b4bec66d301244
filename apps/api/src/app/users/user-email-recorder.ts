import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { RealtimeEventRegistry } from '@herald/realtime';
import { DatabaseService } from '../database/database.service';
import { MicroBatcher } from '../database/micro-batcher';
import { BurstBuffer } from '../realtime/burst-buffer';
import { UsersRepository, type AddressToRecord } from './users.repository';

/** Users whose last recorded address this process remembers (a bounded, LRU-ish cache). */
const REMEMBERED_USERS = 10_000;
/** Addresses recorded per statement at most. */
const MAX_PER_BATCH = 500;
/** How long the writes of a connect storm wait for each other; nobody waits for them. */
const WRITE_BURST_WINDOW_MS = 50;
/** How long shutdown waits for the last address writes: a hung database must not hold it. */
const SHUTDOWN_WRITES_WAIT_MS = 2_000;
/** The warm-up's made-up connect storm: bursts × addresses, the shape of 1,000 new users. */
const WARM_UP_BURSTS = 20;
const WARM_UP_BURST_SIZE = 50;

/**
 * Keeps the address escalations are e-mailed to equal to the `email` claim of the user's
 * latest token. A connect writes only when the address is not the one this process last
 * recorded for that user, and writes of a connect storm share one statement per burst, so
 * reconnects cost the database nothing.
 */
@Injectable()
export class UserEmailRecorder
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(UserEmailRecorder.name);
  /** Whether this start rehearsed its address writes, leaving dead rows to reclaim. */
  private rehearsed = false;
  /** Address writes not settled yet, awaited at shutdown. */
  private readonly pendingWrites = new Set<Promise<void>>();
  private readonly recorded = new Map<string, string>();
  /** One statement at a time, so a later burst's address is never overwritten by an earlier. */
  private readonly writes = new MicroBatcher<AddressToRecord[], void>(
    async (bursts) => {
      // The last entry per user wins: it came from the newest handshake.
      const latest = new Map(bursts.flat().map((e) => [e.userId, e]));
      await this.users.recordEmails([...latest.values()]);
      return bursts.map(() => undefined);
    },
    { weigh: (burst) => burst.length, maxWeight: MAX_PER_BATCH },
  );
  private readonly connectBurst = new BurstBuffer<AddressToRecord>(
    (burst) => void this.write(burst),
    WRITE_BURST_WINDOW_MS,
    MAX_PER_BATCH,
  );

  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(DatabaseService) private readonly database: Pick<DatabaseService, 'engine'>,
  ) {}

  onModuleInit(): void {
    this.registry.onConnect(({ userId, email }) => {
      // Nothing to await: the socket's other connect work never waits for this bookkeeping.
      if (email) this.record(userId, email);
    });
  }

  /**
   * On the embedded database, rehearses a connect storm's address writes before the server
   * listens, in a transaction that is rolled back. PGlite is PostgreSQL compiled to
   * WebAssembly, which V8 compiles in tiers as it runs: the first inserts of a process
   * spend the database's thread and V8's compiler threads on that. Measured on the
   * benchmark's storm of 1,000 new users on a fresh server (alternated runs), the rehearsal
   * took 0.01–0.07 ms of CPU off each handshake of the first storm after a start — the
   * reconnect storm of a deploy — and costs about 30 ms at start. (PostgreSQL runs its
   * statements in its own process: nothing to warm here.) The thousand rows it wrote are
   * dead ones, which PGlite (no autovacuum) would keep for good, some 90 KB per start: they
   * are reclaimed at shutdown (see `beforeApplicationShutdown`).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.database.engine !== 'pglite') return;
    this.rehearsed = true;
    const bursts = Array.from({ length: WARM_UP_BURSTS }, (_, burst) =>
      Array.from({ length: WARM_UP_BURST_SIZE }, (_, i) => ({
        userId: `herald:warm-up:${burst}:${i}`,
        email: `warm-up-${burst}-${i}@herald.invalid`,
      })),
    );
    try {
      await this.users.rehearseRecordEmails(bursts);
    } catch (error) {
      // Only a slower first storm is at stake: never a reason not to start.
      this.logger.warn({ msg: 'Could not warm up the address writes', err: String(error) });
    }
  }

  /**
   * Writes the addresses still waiting for their burst and waits (for a while) for the
   * writes under way, while the database is still open. Then vacuums the users table after
   * a start that rehearsed: 5 ms on 10,000 users, 30 ms on a million. Not right after the
   * rehearsal: measured on the benchmark's first connect storm (alternated rounds), a table
   * vacuumed at start cost some 0.1 ms more per handshake. A process that dies instead
   * leaves its rehearsal's rows to the next one's shutdown.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.connectBurst.flush();
    await settledOrLater(Promise.all(this.pendingWrites), SHUTDOWN_WRITES_WAIT_MS);
    if (!this.rehearsed) return;
    try {
      await this.users.reclaimDeadRows();
    } catch (error) {
      this.logger.warn({ msg: 'Could not vacuum the users table', err: String(error) });
    }
  }

  /** Records `email` as the user's address, with the other addresses of its burst. */
  record(userId: string, email: string): void {
    if (this.recorded.get(userId) === email) return;
    this.remember(userId, email);
    this.connectBurst.add({ userId, email });
  }

  /** Forgets what this process recorded, e.g. after a service set another address. */
  forget(userId: string): void {
    this.recorded.delete(userId);
  }

  private write(burst: AddressToRecord[]): void {
    const written = this.writes.submit(burst).catch((error: unknown) => {
      // Forget them so that the next connect of each tries again (unless it brought another).
      for (const { userId, email } of burst)
        if (this.recorded.get(userId) === email) this.recorded.delete(userId);
      this.logger.warn({
        msg: 'Could not record user addresses',
        users: burst.length,
        err: String(error),
      });
    });
    this.pendingWrites.add(written);
    void written.then(() => this.pendingWrites.delete(written));
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

/** Resolves when `work` settles, or after `ms` if it has not by then. */
async function settledOrLater(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.then(() => undefined), later]);
  } finally {
    clearTimeout(timer);
  }
}
