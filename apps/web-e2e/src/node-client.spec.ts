import { expect, test } from '@playwright/test';
import { SignJWT } from 'jose';
import { createRealtimeClient, type RealtimeClient } from '@herald/realtime-client';
import { API_URL, harness } from './support/api-server';
import { SENDER, apiToken, sendNotification, uniqueEmail } from './support/app';

/**
 * The same client library, in Node, against the real API: no browser, no Origin header
 * (judged by its token), the contract's acknowledgements and error codes as the server
 * really sends them.
 */
test.describe('@herald/realtime-client in Node against the real API', () => {
  const clients: RealtimeClient[] = [];
  test.afterEach(() => {
    for (const c of clients.splice(0)) c.dispose();
  });

  const connect = (token: string | (() => string), refreshToken?: () => Promise<string>) => {
    const client = createRealtimeClient({
      url: API_URL,
      token,
      refreshToken,
      reconnection: { minMs: 200, maxMs: 1_000 },
    });
    clients.push(client);
    return client;
  };
  const status = (c: RealtimeClient) => c.getState().status;
  const inboxOf = (c: RealtimeClient) => {
    if (!c.inbox) throw new Error('created without an inbox');
    return c.inbox.getSnapshot();
  };
  const idOf = (c: RealtimeClient, title: string) =>
    inboxOf(c).items.find((n) => n.title === title)?.id;

  test('connects, resyncs its inbox, follows pushes and marks read with a typed ack', async () => {
    const email = uniqueEmail('node');
    const { token, userId } = await apiToken(email);
    const client = connect(token);
    await expect.poll(() => status(client)).toBe('connected');
    await expect.poll(() => client.getState().userId).toBe(userId);
    await expect.poll(() => inboxOf(client).status).toBe('ready');
    const before = inboxOf(client).unreadCount;

    const sender = await apiToken(SENDER);
    await sendNotification(sender.token, userId, 'From a worker');
    await expect.poll(() => idOf(client, 'From a worker')).toBeTruthy();
    await expect.poll(() => inboxOf(client).unreadCount).toBe(before + 1);

    const id = String(idOf(client, 'From a worker'));
    const answer = await client.emitWithAck('notification:mark_read', { notificationId: id });
    expect(answer).toEqual({ ok: true, notificationId: id, unreadCount: before });
    const bad = await client.emitWithAck('notification:mark_read', { notificationId: 'nope' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
    expect(status(client)).toBe('connected');
  });

  test('is unauthorized with TOKEN_INVALID for a forged token', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-of-this-server-0123456789'));
    const client = connect(forged);
    await expect.poll(() => status(client)).toBe('unauthorized');
    expect(client.getState().errorCode).toBe('TOKEN_INVALID');
  });

  test('refreshes an expired token through the refresher and connects', async () => {
    const email = uniqueEmail('node-expired');
    const { userId } = await apiToken(email);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ email })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode((await harness()).TEST_JWT_SECRET));
    let refreshed = 0;
    const client = connect(expired, async () => {
      refreshed++;
      return (await apiToken(email)).token;
    });
    await expect.poll(() => status(client)).toBe('connected');
    expect(refreshed).toBe(1);
    expect(client.getState().reason).toBe('token-refreshed');
  });

  test('sends auth:refresh with a fresh token and stays connected', async () => {
    const email = uniqueEmail('node-refresh');
    const { token } = await apiToken(email);
    const client = connect(token);
    await expect.poll(() => status(client)).toBe('connected');
    const fresh = (await apiToken(email)).token;
    const answer = await client.emitWithAck('auth:refresh', { token: fresh });
    expect(answer).toMatchObject({ ok: true, userId: email });
    const other = (await apiToken(uniqueEmail('node-other'))).token;
    expect(await client.emitWithAck('auth:refresh', { token: other })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
