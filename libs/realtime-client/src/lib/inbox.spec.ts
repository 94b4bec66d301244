import { createRealtimeClient, type RealtimeClient } from './realtime-client';
import { waitFor } from '../../../../tools/testing/index.mjs';
import { mintToken, startTestServer, waitForStatus, type TestServer } from '../testing';

describe('inbox store kept in sync with the server', () => {
  let server: TestServer;
  const clients: RealtimeClient[] = [];

  const connect = async (userId: string, extra: { pageSize?: number } = {}) => {
    const c = createRealtimeClient({
      url: server.url,
      token: await mintToken(userId),
      reconnection: { minMs: 50, maxMs: 200 },
      inbox: { pageSize: extra.pageSize ?? 50 },
    });
    clients.push(c);
    await waitForStatus(c, 'connected');
    await waitFor(() => c.inbox?.getSnapshot().status === 'ready', 5_000, 'inbox ready');
    return c;
  };
  const inboxOf = (c: RealtimeClient) => {
    if (!c.inbox) throw new Error('client without inbox');
    return c.inbox;
  };
  const inbox = (c: RealtimeClient) => inboxOf(c).getSnapshot();

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose();
    await server.close();
  });

  it('loads what arrived while offline on connect: list and unread count', async () => {
    const older = server.store('ana', 'older');
    await new Promise((r) => setTimeout(r, 5));
    const newer = server.store('ana', 'newer');
    const c = await connect('ana');
    expect(inbox(c).items.map((n) => n.id)).toEqual([newer.id, older.id]);
    expect(inbox(c).unreadCount).toBe(2);
  });

  it('adds a pushed notification once even when the server sends it twice', async () => {
    const c = await connect('ana');
    const n = server.notify('ana', 'hello');
    server.emitTo('ana', 'notification:new', {
      notification: n,
      timestamp: new Date().toISOString(),
    });
    await waitFor(() => inbox(c).items.length === 1 && inbox(c).unreadCount === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(inbox(c).items).toHaveLength(1);
  });

  it('keeps two devices of the same user in sync for read, read-all and delete', async () => {
    const phone = await connect('ana');
    const laptop = await connect('ana');
    const first = server.notify('ana', 'first');
    const second = server.notify('ana', 'second');
    const third = server.notify('ana', 'third');
    await waitFor(() => inbox(laptop).items.length === 3 && inbox(phone).items.length === 3);

    expect(await inboxOf(phone).markRead(first.id)).toMatchObject({ ok: true });
    await waitFor(() => inbox(laptop).items.find((n) => n.id === first.id)?.readAt);
    expect(inbox(laptop).unreadCount).toBe(2);

    expect(await inboxOf(laptop).remove(second.id)).toMatchObject({ ok: true });
    await waitFor(() => inbox(phone).items.length === 2 && inbox(phone).unreadCount === 1);

    expect(await inboxOf(phone).markAllRead()).toMatchObject({ ok: true });
    await waitFor(() => inbox(laptop).unreadCount === 0);
    expect(inbox(laptop).items.find((n) => n.id === third.id)?.readAt).not.toBeNull();
  });

  it('shows nothing of another user', async () => {
    const ana = await connect('ana');
    const bob = await connect('bob');
    server.notify('ana', 'for ana');
    await waitFor(() => inbox(ana).items.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(inbox(bob).items).toHaveLength(0);
    expect(inbox(bob).unreadCount).toBe(0);
  });

  it('reports a refused change and changes nothing', async () => {
    const c = await connect('ana');
    const result = await inboxOf(c).markRead('00000000-0000-4000-8000-000000000000');
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(inbox(c).items).toHaveLength(0);
  });

  it('resyncs after a reconnect and finds what was created and changed meanwhile', async () => {
    const c = await connect('ana');
    const kept = server.notify('ana', 'kept');
    const gone = server.notify('ana', 'gone');
    await waitFor(() => inbox(c).items.length === 2);
    const port = server.port;
    const stored = server.inboxOf('ana').slice();
    await server.close();
    await waitForStatus(c, 'reconnecting');

    server = await startTestServer({ port });
    // While the client was away: one deleted, one read, one new.
    const inboxNow = server.inboxOf('ana');
    inboxNow.push(
      ...stored
        .filter((n) => n.id !== gone.id)
        .map((n) => ({ ...n, readAt: new Date().toISOString() })),
    );
    const missed = server.store('ana', 'missed');

    await waitForStatus(c, 'connected', 8_000);
    await waitFor(() => inbox(c).items.some((n) => n.id === missed.id), 5_000, 'resync');
    expect(inbox(c).items.map((n) => n.id)).toEqual([missed.id, kept.id]);
    expect(inbox(c).unreadCount).toBe(1);
  }, 15_000);

  it('replays events that race a resync in order, so a read-all does not hide a later notification', async () => {
    await server.close();
    server = await startTestServer({ httpDelayMs: 150 });
    const c = await connect('ana');
    const early = server.notify('ana', 'early');
    await waitFor(() => inbox(c).items.length === 1);

    const resync = inboxOf(c).resync(); // the HTTP answer is computed 150 ms from now
    await new Promise((r) => setTimeout(r, 20));
    const socket = [...server.io.sockets.sockets.values()][0];
    // read-all (server side, as another device would), then a new notification
    for (const n of server.inboxOf('ana')) n.readAt = new Date().toISOString();
    socket.emit('notification:read', { notificationId: null, success: true, all: true });
    const late = server.notify('ana', 'late');
    await resync;

    expect(inbox(c).items.find((n) => n.id === early.id)?.readAt).not.toBeNull();
    expect(inbox(c).items.find((n) => n.id === late.id)?.readAt).toBeNull();
    expect(inbox(c).unreadCount).toBe(1);
  });

  it('pages with loadMore and never duplicates an id', async () => {
    for (let i = 0; i < 5; i++) server.store('ana', `n${i}`);
    const c = await connect('ana', { pageSize: 2 });
    expect(inbox(c).items).toHaveLength(2);
    expect(inbox(c).hasMore).toBe(true);
    await inboxOf(c).loadMore();
    await inboxOf(c).loadMore();
    expect(inbox(c).hasMore).toBe(false);
    expect(new Set(inbox(c).items.map((n) => n.id)).size).toBe(5);
  });
});
