import { ReceiptBatcher } from './receipt-batcher.mjs';

describe('the benchmark ReceiptBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function batcher({ acknowledge = true, ...options } = {}) {
    const sent = [];
    const stats = { messages: 0, ids: 0, unacknowledged: 0 };
    const receipts = new ReceiptBatcher(
      async (ids) => {
        sent.push(ids);
        return acknowledge;
      },
      options,
      stats,
    );
    return { receipts, sent, stats };
  }

  it('sends the ids that arrive within one interval together, at most once per interval', async () => {
    const { receipts, sent, stats } = batcher({ intervalMs: 250 });
    receipts.add('a');
    await vi.advanceTimersByTimeAsync(0);
    receipts.add('b');
    receipts.add('c');
    await vi.advanceTimersByTimeAsync(249);
    expect(sent).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([['a'], ['b', 'c']]);
    expect(stats).toEqual({ messages: 2, ids: 3, unacknowledged: 0 });
  });

  it('splits a backlog into messages of at most maxIds, one per interval', async () => {
    const { receipts, sent } = batcher({ intervalMs: 250, maxIds: 100 });
    for (let i = 0; i < 150; i += 1) receipts.add(`id-${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((ids) => ids.length)).toEqual([100]);
    await vi.advanceTimersByTimeAsync(250);
    expect(sent.map((ids) => ids.length)).toEqual([100, 50]);
  });

  it('keeps unacknowledged ids queued and counts the message as unacknowledged', async () => {
    const { receipts, sent, stats } = batcher({ acknowledge: false });
    receipts.add('a');
    await vi.advanceTimersByTimeAsync(0);
    receipts.add('b');
    await vi.advanceTimersByTimeAsync(250);
    expect(sent).toEqual([['a'], ['a', 'b']]);
    expect(stats).toEqual({ messages: 2, ids: 0, unacknowledged: 2 });
  });

  it('sends nothing more once disposed', async () => {
    const { receipts, sent } = batcher();
    receipts.add('a');
    receipts.dispose();
    receipts.add('b');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([]);
  });
});
