import { RealtimeEventRegistry, type AuthenticatedUser } from '@herald/realtime';
import { UserEmailRecorder } from './user-email-recorder';
import type { UsersRepository } from './users.repository';

type Entry = { userId: string; email: string };

/** A users table that records the statements it is sent, and refuses them on demand. */
class RecordingUsers {
  readonly statements: Entry[][] = [];
  attempts = 0;
  failing = false;

  async recordEmails(entries: readonly Entry[]): Promise<void> {
    this.attempts += 1;
    if (this.failing) throw new Error('database unavailable');
    this.statements.push([...entries]);
  }
}

function user(userId: string, email: string | null): AuthenticatedUser {
  return { userId, email, role: null, expiresAt: null };
}

describe('UserEmailRecorder', () => {
  let registry: RealtimeEventRegistry;
  let users: RecordingUsers;

  beforeEach(() => {
    registry = new RealtimeEventRegistry();
    users = new RecordingUsers();
    new UserEmailRecorder(registry, users as unknown as UsersRepository).onModuleInit();
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
});
