import type { Namespace } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';

type AdapterFactory = (nsp: Namespace) => Adapter;

/** How long a broadcast waits for its XADD before it is delivered locally anyway. */
export const DEFAULT_LOCAL_DELIVERY_WAIT_MS = 100;

/** The ClusterAdapter method every broadcast (and room/disconnect operation) awaits. */
interface PublishingAdapter {
  publishAndReturnOffset(message: unknown): Promise<string>;
}

/**
 * Local sockets get their events at local speed whatever Redis does.
 *
 * Socket.IO's cluster adapter delivers a broadcast to this process's sockets only after
 * the XADD that carries it to the others has answered (it needs the stream offset for
 * connection state recovery). A Redis that accepts commands but does not answer would hold
 * every local delivery behind it. So each publish waits at most `waitMs`; past that the
 * broadcast is delivered locally without an offset (the XADD still goes out and reaches
 * the other processes whenever Redis answers, or fails after the command timeout). Once
 * one publish missed its wait, the following ones do not wait at all until Redis answers
 * one again, so a hung Redis costs one `waitMs`, not one per event.
 *
 * The price of an event delivered without an offset: a client recovering its session later
 * may receive it a second time. A plain function, not an arrow: Socket.IO calls the factory
 * with `new`.
 */
export function deliverLocallyWithoutWaitingForRedis(
  factory: AdapterFactory,
  waitMs = DEFAULT_LOCAL_DELIVERY_WAIT_MS,
): AdapterFactory {
  return function localFirstAdapter(nsp: Namespace): Adapter {
    const adapter = factory(nsp);
    const publishing = adapter as unknown as PublishingAdapter;
    const publish = publishing.publishAndReturnOffset.bind(adapter);
    let redisLate = false;
    publishing.publishAndReturnOffset = (message) => {
      const published = publish(message);
      published.then(
        () => (redisLate = false),
        () => undefined,
      );
      if (redisLate) return Promise.reject(new Error('Redis is late: delivered locally first'));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          redisLate = true;
          reject(new Error(`Redis did not answer within ${waitMs} ms: delivered locally first`));
        }, waitMs);
        published.then(
          (offset) => {
            clearTimeout(timer);
            resolve(offset);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    };
    return adapter;
  };
}
