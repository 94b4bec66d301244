import { RealtimeEventRegistry, type AuthenticatedUser } from '@herald/realtime';
import { count, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service';
import { UserEmailRecorder } from './user-email-recorder';
import { UsersRepository } from './users.repository';
import { users as usersTable } from './users.schema';

type Entry = { userId: string; email: string };

/** A users table that records the statements it is sent, and refuses them on demand. */
class RecordingUsers {
  readonly statements: Entry[][] = [];
  attempts = 0;
  failing = false;
  /** While set, each statement waits for it before it is stored. */
  gate: Promise<void> | undefined;

  async recordEmails(entries: readonly Entry[]): Promise<void> {
    this.attempts += 1;
    if (this.failing) throw new Error('database unavailable');
    await this.gate;
    this.statements.push([...entries]);
  }
}

function user(userId: string, email: string | null): AuthenticatedUser {
  return { userId, email, role: null, expiresAt: null };
}

describe('UserEmailRecorder', () => {
  let registry: RealtimeEventRegistry;
  let users: RecordingUsers;
  let recorder: UserEmailRecorder;

  beforeEach(() => {
    registry = new RealtimeEventRegistry();
    users = new RecordingUsers();
    recorder = new UserEmailRecorder(registry, users as unknown as UsersRepository, {
      engine: 'postgres',
    });
    recorder.onModuleInit();
  });

  const connect = (userId: string, email: string | null) =>
    registry.runConnectHooks(user(userId, email), `socket-${userId}`);

  it('records the addresses of sockets connecting together in one statement, without holding up their hooks', async () => {
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.statements).toHaveLength(1));
    // Connecting in the same turn (and within the window, whenever it opens): one statement.
    await Promise.all([connect('u2', 'two@example.com'), connect('u3', 'three@example.com')]);
    await connect('u4', null);
    await vi.waitFor(() => expect(users.statements).toHaveLength(2));
    expect(users.statements).toEqual([
      [{ userId: 'u1', email: 'one@example.com' }],
      [
        { userId: 'u2', email: 'two@example.com' },
        { userId: 'u3', email: 'three@example.com' },
      ],
    ]);
  });

  it('writes nothing when a user reconnects with the address it last recorded', async () => {
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.statements).toHaveLength(1));
    await connect('u1', 'one@example.com');
    await connect('u1', 'new@example.com');
    await vi.waitFor(() => expect(users.statements).toHaveLength(2));
    expect(users.statements[1]).toEqual([{ userId: 'u1', email: 'new@example.com' }]);
  });

  it('forgets an address it could not write, so the next connect records it again', async () => {
    users.failing = true;
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.attempts).toBe(1));
    // The refusal reaches the recorder on a later turn.
    await new Promise((resolve) => setImmediate(resolve));
    expect(users.statements).toEqual([]);

    users.failing = false;
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.statements).toHaveLength(1));
    expect(users.statements[0]).toEqual([{ userId: 'u1', email: 'one@example.com' }]);
  });

  it('writes the addresses still waiting for their burst at shutdown, and waits for them', async () => {
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.statements).toHaveLength(1));
    // Within the window after a burst: this one would wait for its own.
    await connect('u2', 'two@example.com');
    let release: () => void = () => undefined;
    users.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let done = false;
    const shutdown = recorder.beforeApplicationShutdown().then(() => (done = true));
    await vi.waitFor(() => expect(users.attempts).toBe(2));
    expect(done).toBe(false);
    release();
    await shutdown;
    expect(users.statements[1]).toEqual([{ userId: 'u2', email: 'two@example.com' }]);
  });

  it('does not wait past its bound for a write that hangs', async () => {
    users.gate = new Promise<void>(() => undefined);
    await connect('u1', 'one@example.com');
    await vi.waitFor(() => expect(users.attempts).toBe(1));
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const shutdown = recorder.beforeApplicationShutdown();
      await vi.advanceTimersByTimeAsync(2_000);
      await shutdown;
    } finally {
      vi.useRealTimers();
    }
    expect(users.statements).toEqual([]);
  });

  it('does not rehearse on PostgreSQL, whose statements run in its own process', async () => {
    const rehearse = vi.fn();
    const reclaim = vi.fn();
    const recorder = new UserEmailRecorder(
      registry,
      { rehearseRecordEmails: rehearse, reclaimDeadRows: reclaim } as unknown as UsersRepository,
      { engine: 'postgres' },
    );
    await recorder.onApplicationBootstrap();
    await recorder.beforeApplicationShutdown();
    expect(rehearse).not.toHaveBeenCalled();
    // Nothing to reclaim (and PostgreSQL's autovacuum sees to its tables).
    expect(reclaim).not.toHaveBeenCalled();
  });
});

/** Against a real (in-memory PGlite) database. */
describe('UserEmailRecorder on the embedded database', () => {
  let database: DatabaseService;
  let repository: UsersRepository;

  beforeAll(async () => {
    database = await DatabaseService.open({ kind: 'memory' });
    repository = new UsersRepository(database);
  }, 60_000);
  afterAll(() => database?.onApplicationShutdown());

  const storedUsers = async () => {
    const [row] = await database.db.select({ n: count() }).from(usersTable);
    return row?.n;
  };

  it('rehearses a storm of address writes at start and stores none of it', async () => {
    const rehearse = vi.spyOn(repository, 'rehearseRecordEmails');
    const recorder = new UserEmailRecorder(new RealtimeEventRegistry(), repository, database);
    await recorder.onApplicationBootstrap();
    expect(rehearse).toHaveBeenCalledTimes(1);
    const bursts = rehearse.mock.calls[0]?.[0] ?? [];
    expect(bursts.flat()).toHaveLength(1_000);
    expect(await storedUsers()).toBe(0);
    // The real writes go through as before.
    await repository.recordEmails([{ userId: 'after-rehearsal', email: 'a@example.com' }]);
    expect(await repository.find('after-rehearsal')).toMatchObject({ email: 'a@example.com' });
  });

  it('reclaims the dead rows of its rehearsal at shutdown, start after start', async () => {
    const heapPages = async () => {
      const result = (await database.db.execute(
        sql`select (pg_relation_size('users') / 8192)::int as pages`,
      )) as unknown as { rows: { pages: number }[] };
      return result.rows[0]?.pages;
    };
    const start = async () => {
      const recorder = new UserEmailRecorder(new RealtimeEventRegistry(), repository, database);
      await recorder.onApplicationBootstrap();
      return recorder;
    };
    await (await start()).beforeApplicationShutdown();
    const afterFirst = await heapPages();
    for (let again = 0; again < 3; again++) await (await start()).beforeApplicationShutdown();
    // Unvacuumed, every rehearsal would add the pages of its thousand dead rows (~11).
    expect(await heapPages()).toBe(afterFirst);
  });

  it("runs a rehearsal's statements (their rows are seen inside it), rolls them back and passes on its own errors", async () => {
    const before = await storedUsers();
    let seenInside: number | undefined;
    await database.rehearse(async (tx) => {
      await tx.insert(usersTable).values({ id: 'rehearsed', email: 'r@example.com' });
      const [row] = await tx.select({ n: count() }).from(usersTable);
      seenInside = row?.n;
    });
    expect(seenInside).toBe((before ?? 0) + 1);
    expect(await repository.find('rehearsed')).toBeNull();
    expect(await storedUsers()).toBe(before);
    await expect(
      database.rehearse(async () => {
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
  });

  it('starts anyway when the rehearsal fails', async () => {
    vi.spyOn(repository, 'rehearseRecordEmails').mockRejectedValueOnce(new Error('no database'));
    const recorder = new UserEmailRecorder(new RealtimeEventRegistry(), repository, database);
    await expect(recorder.onApplicationBootstrap()).resolves.toBeUndefined();
  });
});
