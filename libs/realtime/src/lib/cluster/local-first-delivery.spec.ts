import type { Namespace } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import { deliverLocallyWithoutWaitingForRedis } from './local-first-delivery';

/** An adapter whose publishes answer only when the test says so, like a hung Redis. */
function adapterWithManualRedis() {
  const pending: ((offset: string) => void)[] = [];
  const adapter = {
    publishAndReturnOffset: () => new Promise<string>((resolve) => pending.push(resolve)),
  };
  const wrapped = deliverLocallyWithoutWaitingForRedis(
    () => adapter as unknown as Adapter,
    100,
  )({} as Namespace) as unknown as typeof adapter;
  /** Redis answers the publish made `index`-th (from 0) with that stream offset. */
  const answer = (index: number, offset: string) => {
    const resolve = pending[index];
    if (!resolve) throw new Error(`no publish #${index} is waiting for Redis`);
    resolve(offset);
  };
  return { publish: () => wrapped.publishAndReturnOffset(), answer };
}

describe('local delivery does not wait for a Redis that does not answer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes the offset through when Redis answers in time', async () => {
    const { publish, answer } = adapterWithManualRedis();
    const published = publish();
    answer(0, '1-0');
    await expect(published).resolves.toBe('1-0');
  });

  it('gives up after the wait, then does not wait at all until Redis answers again', async () => {
    const { publish, answer } = adapterWithManualRedis();
    const first = publish();
    const outcome = expect(first).rejects.toThrow(/did not answer within 100 ms/);
    await vi.advanceTimersByTimeAsync(100);
    await outcome;

    // Still no answer: the next broadcast is delivered locally at once.
    await expect(publish()).rejects.toThrow(/Redis is late/);

    // Redis answers (the first XADD): broadcasts wait for their offset again.
    answer(0, '1-0');
    await Promise.resolve();
    const later = publish();
    answer(2, '3-0');
    await expect(later).resolves.toBe('3-0');
  });
});
