import { MAX_RECEIPT_IDS, ReceiptBatcher } from './receipts';
import { createRealtimeClient, type RealtimeClient } from './realtime-client';
import { waitFor } from '../../../../tools/testing/index.mjs';
import { mintToken, startTestServer, waitForStatus, type TestServer } from '../testing';

describe('ReceiptBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const batcher = (acknowledge = true) => {
    const sent: string[][] = [];
    const receipts = new ReceiptBatcher(
      async (ids) => {
        sent.push(ids);
        return acknowledge;
      },
      { intervalMs: 250 },
      () => Date.now(),
    );
    return { receipts, sent };
  };

  it('sends ids that arrive together as one message, and at most one message per interval', async () => {
    const { receipts, sent } = batcher();
    receipts.add(['a', 'b']);
    receipts.add(['c']);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([['a', 'b', 'c']]);

    receipts.add(['d']);
    receipts.add(['e']);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(sent).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('sends an id once, however often it arrives', async () => {
    const { receipts, sent } = batcher();
    receipts.add(['a', 'a']);
    await vi.advanceTimersByTimeAsync(0);
    receipts.add(['a']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([['a']]);
  });

  it(`splits more than ${MAX_RECEIPT_IDS} ids into messages of at most ${MAX_RECEIPT_IDS}`, async () => {
    const { receipts, sent } = batcher();
    receipts.add(Array.from({ length: MAX_RECEIPT_IDS + 1 }, (_, i) => `id-${i}`));
    await vi.advanceTimersByTimeAsync(250);
    expect(sent.map((ids) => ids.length)).toEqual([MAX_RECEIPT_IDS, 1]);
  });

  it('keeps ids that were not acknowledged until the next flush', async () => {
    const sent: string[][] = [];
    let online = false;
    const receipts = new ReceiptBatcher(async (ids) => {
      sent.push(ids);
      return online;
    });
    receipts.add(['a']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([['a']]);
    online = true;
    receipts.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([['a'], ['a']]);
    receipts.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(2);
  });
});

describe('receipts from a RealtimeClient', () => {
  let server: TestServer;
  const clients: RealtimeClient[] = [];

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose();
    await server.close();
  });

  const connect = async (userId: string) => {
    const c = createRealtimeClient({
      url: server.url,
      token: await mintToken(userId),
      reconnection: { minMs: 50, maxMs: 200 },
      receipts: { intervalMs: 20 },
    });
    clients.push(c);
    await waitForStatus(c, 'connected');
    return c;
  };

  it('confirms what it loads by resync and what arrives live, each id once', async () => {
    const missed = server.store('ana', 'missed');
    const c = await connect('ana');
    await waitFor(() => server.receipts.flat().includes(missed.id), 5_000, 'resync receipt');

    const live = server.store('ana', 'live');
    server.emitTo('ana', 'notification:new', { notification: live, timestamp: live.createdAt });
    await waitFor(() => server.receipts.flat().includes(live.id), 5_000, 'live receipt');

    // A resync after a reconnect sees both delivered: nothing is confirmed again.
    c.socket.disconnect().connect();
    await waitForStatus(c, 'connected');
    await waitFor(() => c.inbox?.getSnapshot().syncedAt, 5_000, 'resync');
    expect(server.receipts.flat().sort()).toEqual([missed.id, live.id].sort());
  });

  it('sends no receipts with `receipts: false`', async () => {
    const c = createRealtimeClient({
      url: server.url,
      token: await mintToken('bo'),
      receipts: false,
    });
    clients.push(c);
    const item = server.store('bo', 'quiet');
    await waitForStatus(c, 'connected');
    server.emitTo('bo', 'notification:new', { notification: item, timestamp: item.createdAt });
    await waitFor(() => c.inbox?.getSnapshot().items.length, 5_000, 'item');
    expect(server.receipts).toEqual([]);
  });
});
