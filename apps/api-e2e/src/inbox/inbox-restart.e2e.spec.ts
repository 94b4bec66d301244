import { type ApiProcess, startApi } from '../../../../tools/testing/index.mjs';
import { PGlite } from '@electric-sql/pglite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notification, NotificationPage } from '@herald/ws-contracts';
import { asUser, Device, serviceSend, START_TIMEOUT_MS, uniqueUser } from './inbox-harness';

/** The embedded database on disk (the default engine): data outlives the process. */
describe('embedded PGlite in DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-inbox-'));
  let api: ApiProcess | undefined;
  const start = () =>
    startApi({
      env: { DATABASE_URL: undefined, DATA_DIR: dataDir },
      startTimeoutMs: START_TIMEOUT_MS,
    });

  afterAll(async () => {
    await api?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps notifications, read state and XP across a restart of the API',
    async () => {
      api = await start();
      const userId = uniqueUser('durable');
      const kept = await serviceSend<Notification>(api, {
        userId,
        title: 'kept',
        message: 'survives restarts',
      });
      const read = await serviceSend<Notification>(api, {
        userId,
        title: 'read',
        message: 'read before restart',
      });
      expect([kept.status, read.status]).toEqual([201, 201]);
      expect(
        (await (await asUser(api, userId)).call('PATCH', `/api/notifications/${read.body.id}/read`))
          .status,
      ).toBe(200);
      const xp = await fetch(`${api.url}/api/gamification/xp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': (await import('../../../../tools/testing/index.mjs')).TEST_API_KEY,
        },
        body: JSON.stringify({ userId, amount: 700, source: 'before-restart' }),
      });
      expect(xp.status).toBe(200);
      // A second process on the same directory would corrupt it: refused with a clear line.
      await expect(start()).rejects.toThrow(/DATA_DIR .* is in use by process/);
      expect(await api.stop()).toBe(0);
      expect(api.logs.some((line) => line.includes('Database closed'))).toBe(true);

      api = await start();
      const { token, call } = await asUser(api, userId);
      const page = await call<NotificationPage>('GET', '/api/notifications');
      const mine = page.body.items.filter((n) => n.type !== 'achievement');
      expect(mine.map((n) => [n.id, n.readAt === null])).toEqual([
        [read.body.id, false],
        [kept.body.id, true],
      ]);
      const device = await Device.connect(api.url, token);
      try {
        // "kept" and the stored "first-xp" achievement are unread; "read" is not.
        expect(await device.waitFor('notification:unread_count')).toEqual({ unreadCount: 2 });
      } finally {
        device.close();
      }
      const leaderboard = await call<{ leaderboard: { userId: string; xp: number }[] }>(
        'GET',
        '/api/gamification/leaderboard',
      );
      expect(leaderboard.body.leaderboard.find((e) => e.userId === userId)?.xp).toBe(700);

      // A crash (SIGKILL) leaves its lock file behind; the next process takes it over.
      await api.kill();
      api = await start();
      const afterCrash = await (
        await asUser(api, userId)
      ).call<NotificationPage>('GET', '/api/notifications');
      expect(afterCrash.body.items).toHaveLength(3);
      // Three starts of an embedded database (the first one runs initdb) on a shared machine.
    },
    3 * START_TIMEOUT_MS,
  );

  it(
    "reclaims its start-up rehearsal's dead rows at each shutdown (nothing vacuums PGlite otherwise)",
    async () => {
      const usersTablePages = async () => {
        const db = await PGlite.create(join(dataDir, 'pgdata'));
        try {
          const { rows } = await db.query<{ pages: number }>(
            `select (pg_relation_size('users') / 8192)::int as pages`,
          );
          return rows[0]?.pages;
        } finally {
          await db.close();
        }
      };
      if (!api) api = await start();
      expect(await api.stop()).toBe(0);
      const afterOneStop = await usersTablePages();
      for (let restart = 0; restart < 2; restart++) {
        api = await start();
        expect(await api.stop()).toBe(0);
      }
      // Each start writes (and rolls back) a thousand made-up users: ~11 pages unvacuumed.
      expect(await usersTablePages()).toBe(afterOneStop);
    },
    3 * START_TIMEOUT_MS,
  );
});
