import {
  type ApiProcess,
  createScratchDatabase,
  mintToken,
  type ScratchDatabase,
  startApi,
  TEST_API_KEY,
} from '../../../../tools/testing/index.mjs';
import { io, type Socket } from 'socket.io-client';
import { inject } from 'vitest';
import type { Notification, NotificationNewPayload } from '@herald/ws-contracts';
import { inboxOf, uniqueUser } from './hardening-harness';

interface Outcome {
  title: string;
  recipients: string[];
  /** Stored records when the API answered 2xx; undefined when the request failed. */
  stored?: Notification[];
  status?: number;
}

/**
 * The delivery guarantee (docs/operations.md): a notification answered with 2xx is
 * committed before it is pushed, so a process killed in the middle of a burst loses
 * nothing it accepted, writes nothing by halves, and a device that missed the push finds
 * the notification in its inbox when it reconnects.
 */
describe('delivery guarantee across SIGKILL mid-burst (PostgreSQL)', () => {
  let database: ScratchDatabase;
  const apis: ApiProcess[] = [];
  let device: Socket | undefined;

  beforeAll(async () => {
    database = await createScratchDatabase(inject('runId'));
  });
  afterAll(async () => {
    device?.close();
    for (const api of apis) await api.kill();
    await database?.drop();
  });

  it('keeps every 2xx-accepted notification, half-writes none, and the device catches up from the inbox', async () => {
    const env = { DATABASE_URL: database.url };
    const api = await startApi({ env });
    apis.push(api);
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');

    // Alice's device records every push; it reconnects by itself after the crash.
    device = io(api.url, {
      transports: ['websocket'],
      auth: { token: await mintToken(alice) },
      forceNew: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 500,
    });
    const pushed: string[] = [];
    device.on('notification:new', (p: NotificationNewPayload) => pushed.push(p.notification.id));
    await new Promise<void>((resolve) => device?.once('authenticated', () => resolve()));

    // A burst from 16 concurrent senders; every third request goes to Alice and Bob at once.
    const outcomes: Outcome[] = [];
    let answered = 0;
    let killed = false;
    const TOTAL = 600;
    let next = 0;
    const sender = async () => {
      while (next < TOTAL) {
        const i = next++;
        const recipients = i % 3 === 0 ? [alice, bob] : [alice];
        const outcome: Outcome = { title: `burst-${i}`, recipients };
        outcomes.push(outcome);
        try {
          const res = await fetch(`${api.url}/api/notifications`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
            body: JSON.stringify({
              userIds: recipients,
              title: outcome.title,
              message: `message ${i}`,
            }),
          });
          outcome.status = res.status;
          const body = (await res.json()) as Notification[];
          if (res.ok) outcome.stored = body;
        } catch {
          // connection reset by the kill: the sender does not know whether it was stored
        }
        if (++answered === 150 && !killed) {
          killed = true;
          api.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    await new Promise<void>((resolve) =>
      api.child.exitCode !== null || api.child.signalCode !== null
        ? resolve()
        : api.child.once('exit', () => resolve()),
    );

    const accepted = outcomes.filter((o) => o.stored);
    const failed = outcomes.filter((o) => !o.stored);
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    expect(failed.length).toBeGreaterThan(0); // the kill really happened mid-burst
    expect(accepted.every((o) => o.status === 201)).toBe(true);

    // Listen before restarting: the device may reconnect as soon as the port is back.
    const reauthenticated = new Promise<void>((resolve) =>
      device?.once('authenticated', () => resolve()),
    );
    // Restart on the same database and address.
    const restarted = await startApi({ env, port: api.port });
    apis.push(restarted);
    const aliceInbox = await inboxOf(restarted, alice);
    const bobInbox = await inboxOf(restarted, bob);
    const aliceIds = new Set(aliceInbox.map((n) => n.id));
    const bobIds = new Set(bobInbox.map((n) => n.id));

    // 1. Nothing accepted was lost.
    for (const o of accepted) {
      for (const n of o.stored ?? []) {
        expect(
          n.userId === alice ? aliceIds.has(n.id) : bobIds.has(n.id),
          `${o.title} for ${n.userId}`,
        ).toBe(true);
      }
    }
    // 2. Nothing half-written: a two-recipient request is stored for both or for neither,
    //    and no request is stored twice.
    const titlesOf = (inbox: Notification[]) => inbox.map((n) => n.title);
    expect(new Set(titlesOf(aliceInbox)).size).toBe(aliceInbox.length);
    expect(new Set(titlesOf(bobInbox)).size).toBe(bobInbox.length);
    const bobTitles = new Set(titlesOf(bobInbox));
    for (const o of outcomes.filter((x) => x.recipients.length === 2)) {
      expect(titlesOf(aliceInbox).includes(o.title), `${o.title} all-or-none`).toBe(
        bobTitles.has(o.title),
      );
    }
    // A request that failed may still have committed just before the kill (the sender
    // must treat it as unknown and may retry), but never anything that was not sent.
    const sentTitles = new Set(outcomes.map((o) => o.title));
    expect(aliceInbox.every((n) => sentTitles.has(n.title))).toBe(true);
    // 3. Stored before pushed: every id the device was pushed is in the database.
    expect(pushed.length).toBeGreaterThan(0);
    for (const id of pushed) expect(aliceIds.has(id), `pushed ${id} is stored`).toBe(true);

    // 4. The device reconnects by itself and finds what it missed in the inbox; merged
    //    by id (client-side dedupe) it shows every notification exactly once.
    await reauthenticated;
    const afterReconnect = await inboxOf(restarted, alice);
    const missed = afterReconnect.filter((n) => !pushed.includes(n.id));
    const shown = new Map<string, Notification>();
    for (const id of pushed) shown.set(id, afterReconnect.find((n) => n.id === id) as Notification);
    for (const n of missed) shown.set(n.id, n);
    expect(shown.size).toBe(afterReconnect.length);
    const acceptedForAlice = accepted
      .flatMap((o) => o.stored ?? [])
      .filter((n) => n.userId === alice);
    for (const n of acceptedForAlice) expect(shown.has(n.id)).toBe(true);
    if (process.env['HERALD_E2E_VERBOSE']) {
      const unacknowledged = aliceInbox.filter((n) =>
        failed.some((o) => o.title === n.title),
      ).length;
      console.info(
        `[delivery] sent ${outcomes.length}, accepted ${accepted.length}, failed ${failed.length} ` +
          `(of which committed before the kill: ${unacknowledged}), pushed ${pushed.length}, found on reconnect ${missed.length}`,
      );
    }
    expect(await restarted.stop()).toBe(0);
  }, 120_000); // two API start-ups and a 600-request burst
});
