/**
 * A Node worker that uses Herald the way any other app does: through the published
 * packages, with no access to Herald's source. It connects as the user of HERALD_TOKEN,
 * waits for the next notification, marks it read and exits 0 (1 on any failure).
 *
 *   HERALD_URL=http://127.0.0.1:3000 HERALD_TOKEN=$(npm run -s token -- ana) npm start
 *
 * Progress goes to stdout, one line per step, so a supervisor (or a test) can follow it.
 */
import {
  ClientEvent,
  ServerEvent,
  type MarkReadPayload,
  type Notification,
} from '@herald/ws-contracts';
import { createRealtimeClient, type ConnectionState } from '@herald/realtime-client';

function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) {
    console.error(`${name} is required (see README.md)`);
    process.exit(1);
  }
  return value;
}

const url = requiredEnv('HERALD_URL');
const token = requiredEnv('HERALD_TOKEN');
const timeoutMs = Number(process.env['HERALD_TIMEOUT_MS'] ?? 60_000);

// Only listens and acknowledges, so it needs no inbox store (and no HTTP).
const client = createRealtimeClient({ url, token, inbox: false });

function fail(message: string): never {
  console.error(message);
  client.dispose();
  process.exit(1);
}
const deadline = setTimeout(() => fail(`no notification within ${timeoutMs} ms`), timeoutMs);

/** Resolves with the first notification pushed to this user. */
function nextNotification(): Promise<Notification> {
  return new Promise((resolve) => {
    const off = client.on(ServerEvent.NotificationNew, ({ notification }) => {
      off();
      resolve(notification);
    });
  });
}

const received = nextNotification();
client.subscribe((state: ConnectionState) => {
  if (state.status === 'connected' && state.userId) console.log(`connected as ${state.userId}`);
  if (state.status === 'unauthorized')
    fail(`refused: ${state.errorCode} ${state.errorMessage ?? ''}`);
});

const notification = await received;
console.log(`received ${notification.id}: ${notification.title}`);

const request: MarkReadPayload = { notificationId: notification.id };
const answer = await client.emitWithAck(ClientEvent.MarkRead, request, { timeout: 10_000 });
if (!answer.ok) fail(`mark_read failed: ${answer.error.code} ${answer.error.message}`);
console.log(`marked ${answer.notificationId} read, ${answer.unreadCount} unread`);

clearTimeout(deadline);
client.dispose();
