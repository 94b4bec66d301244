import { BatchItemFailure, MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs requests submitted in the same turn as one batch and answers each its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push([...items]);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('keeps one batch in flight and gathers what arrives meanwhile into the next', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new MicroBatcher<number, number>(async (items) => {
      batches.push([...items]);
      if (batches.length === 1) await gate;
      return [...items];
    });
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every request of a batch whose run throws, and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<string, string>(async (items) => {
      if (++calls === 1) throw new Error('database down');
      return [...items];
    });
    const failed = await Promise.allSettled([batcher.submit('a'), batcher.submit('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit('c')).toBe('c');
  });

  it('fails only the request answered with a BatchItemFailure', async () => {
    const batcher = new MicroBatcher<string, string>(async (items) =>
      items.map((item) => (item === 'bad' ? new BatchItemFailure(new Error('refused')) : item)),
    );
    const outcomes = await Promise.allSettled(['ok', 'bad', 'fine'].map((s) => batcher.submit(s)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'rejected'))).toEqual([
      'ok',
      'rejected',
      'fine',
    ]);
  });

  it('stops a batch at maxWeight, but always takes at least one request', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push([...items]);
        return [...items];
      },
      { weigh: (n) => n, maxWeight: 5 },
    );
    await Promise.all([2, 3, 1, 9, 4].map((n) => batcher.submit(n)));
    expect(batches).toEqual([[2, 3], [1], [9], [4]]);
  });

  it('counts each request as one when there is no weigh, so maxWeight still bounds a batch', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push([...items]);
        return [...items];
      },
      { maxWeight: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  describe('with minIntervalMs', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    const turn = () => new Promise((resolve) => setImmediate(resolve));

    function recording(options: { minIntervalMs: number; maxWeight?: number }) {
      const batches: number[][] = [];
      const batcher = new MicroBatcher<number, number>(async (items) => {
        batches.push([...items]);
        return [...items];
      }, options);
      return { batches, batcher };
    }

    it('gathers what arrives within the interval after a batch started into the next batch', async () => {
      const { batches, batcher } = recording({ minIntervalMs: 10 });
      const first = batcher.submit(1);
      await turn();
      expect(batches).toEqual([[1]]);
      await first;

      const trickle = [batcher.submit(2)];
      await turn();
      vi.advanceTimersByTime(4);
      trickle.push(batcher.submit(3));
      await turn();
      vi.advanceTimersByTime(4);
      trickle.push(batcher.submit(4));
      await turn();
      expect(batches).toEqual([[1]]);

      vi.advanceTimersByTime(2);
      expect(await Promise.all(trickle)).toEqual([2, 3, 4]);
      expect(batches).toEqual([[1], [2, 3, 4]]);
    });

    it('stores the first request after a quiet spell at once', async () => {
      const { batches, batcher } = recording({ minIntervalMs: 10 });
      await batcher.submit(1);
      vi.advanceTimersByTime(10);
      const later = batcher.submit(2);
      await turn();
      expect(batches).toEqual([[1], [2]]);
      await later;
    });

    it('does not hold a batch that is already full', async () => {
      const { batches, batcher } = recording({ minIntervalMs: 60_000, maxWeight: 3 });
      await batcher.submit(1);
      const full = [2, 3].map((n) => batcher.submit(n));
      await turn();
      expect(batches).toEqual([[1]]);
      full.push(batcher.submit(4));
      expect(await Promise.all(full)).toEqual([2, 3, 4]);
      expect(batches).toEqual([[1], [2, 3, 4]]);
    });
  });
});
