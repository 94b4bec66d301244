import type { Namespace, Socket } from 'socket.io';
import type { Adapter, BroadcastOptions } from 'socket.io-adapter';

type AdapterFactory = (nsp: Namespace) => Adapter;
type Deliver = (socket: Socket) => void;

/** Sockets one slice of a large delivery writes to before the event loop turns (≈ 10 ms). */
export const DEFAULT_BROADCAST_SLICE = 500;

/** Slices written by every adapter of this process (a monotonic count, read by load shedding). */
let slicesWritten = 0;

/**
 * How many slices of large deliveries this process has written so far. A window in which it
 * grew was busy with a broadcast: bounded work that yields between slices, so other traffic
 * is still served on time (the load shedder does not read such a window as overload).
 */
export function broadcastSlicesWritten(): number {
  return slicesWritten;
}

/** A delivery that goes out a slice at a time: the sockets that have not had it yet, in order. */
interface SlicedDelivery {
  deliver: Deliver;
  order: Socket[];
  next: number;
  remaining: Set<Socket>;
}

/** The parts of Socket.IO's in-memory adapter this wrapper hooks (not its public API). */
interface DeliveringAdapter {
  apply(opts: BroadcastOptions, callback: Deliver): void;
  _encode(packet: { id?: number }, packetOpts: unknown): unknown;
}

/**
 * Large broadcasts go out a slice of sockets at a time, so that the process keeps serving
 * while one reaches tens of thousands of sockets.
 *
 * Socket.IO writes a broadcast to every matching socket in one synchronous loop: at ~25 µs a
 * socket, a broadcast to 20,000 sockets holds the event loop for half a second, and every
 * other user's events, HTTP answers and heartbeats wait behind it. Here a delivery to more than
 * `sliceSize` sockets writes `sliceSize` of them, then yields (`setImmediate`) before the next
 * slice. Every delivery of the namespace (this process's own and those arriving from other
 * processes through the cluster adapter) ends in the adapter's `apply`, which is where the
 * slicing happens.
 *
 * Order per socket is kept: a socket gets its packets in the order they were emitted. Before
 * any later packet is written to a socket, every sliced delivery still owed to that socket is
 * written to it first (a user sent an event mid-broadcast gets the broadcast, then the event,
 * at once), and sliced deliveries go out one after another, in emit order.
 *
 * Deliveries that expect acknowledgements (`timeout().emit(…, ack)`) are never sliced: their
 * caller counts the sockets reached when the emit returns. What is emitted on a socket
 * object itself (`socket.emit`: `authenticated`, acknowledgements, the unread count a new
 * socket gets) does not go through the adapter, so it is not held behind a broadcast.
 *
 * Hooks the adapter's `apply` and `_encode`, which every Socket.IO adapter built on the
 * in-memory one uses to deliver packets (checked by this module's spec against the
 * installed version). A plain function, not an arrow: Socket.IO calls the factory with `new`.
 */
export function deliverLargeBroadcastsInSlices(
  factory: AdapterFactory,
  sliceSize = DEFAULT_BROADCAST_SLICE,
): AdapterFactory {
  if (!Number.isInteger(sliceSize) || sliceSize < 1)
    throw new RangeError(`broadcast slice size must be a positive integer, got ${sliceSize}`);
  return function slicedBroadcastAdapter(nsp: Namespace): Adapter {
    const adapter = factory(nsp);
    const hooks = adapter as unknown as DeliveringAdapter;
    const apply = hooks.apply.bind(adapter);
    const encode = hooks._encode.bind(adapter);
    const queue: SlicedDelivery[] = [];
    let draining = false;
    /** Set by `_encode` when the next `apply` writes a packet, and whether it may be sliced. */
    let delivering: 'sliceable' | 'whole' | undefined;

    /** Writes to `socket` every sliced delivery it is still owed, oldest first. */
    const catchUp = (socket: Socket) => {
      for (const delivery of queue) {
        if (delivery.remaining.delete(socket)) delivery.deliver(socket);
      }
    };

    const drainSlice = () => {
      const delivery = queue[0];
      if (!delivery) {
        draining = false;
        return;
      }
      slicesWritten += 1;
      let written = 0;
      while (written < sliceSize && delivery.next < delivery.order.length) {
        const socket = delivery.order[delivery.next++] as Socket;
        if (!delivery.remaining.delete(socket)) continue; // caught up earlier
        // A later sliced delivery can only be owed once this one is, so nothing is skipped.
        delivery.deliver(socket);
        written += 1;
      }
      if (delivery.next >= delivery.order.length) queue.shift();
      if (queue.length) setImmediate(drainSlice);
      else draining = false;
    };

    hooks._encode = (packet, packetOpts) => {
      delivering = packet.id === undefined ? 'sliceable' : 'whole';
      return encode(packet, packetOpts);
    };

    hooks.apply = (opts, deliver) => {
      const kind = delivering;
      delivering = undefined;
      if (kind === undefined) {
        // Not a packet (fetchSockets, socketsJoin, disconnectSockets…): as Socket.IO does it,
        // after the sockets concerned have had what was emitted before.
        if (queue.length) apply(opts, catchUp);
        apply(opts, deliver);
        return;
      }
      const targets: Socket[] = [];
      apply(opts, (socket) => targets.push(socket));
      if (kind === 'whole' || targets.length <= sliceSize) {
        for (const socket of targets) {
          if (queue.length) catchUp(socket);
          deliver(socket);
        }
        return;
      }
      queue.push({ deliver, order: targets, next: 0, remaining: new Set(targets) });
      if (!draining) {
        draining = true;
        drainSlice();
      }
    };
    return adapter;
  };
}
