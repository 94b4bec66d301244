import type { EventEmitter } from 'node:events';
import type { Namespace, Socket } from 'socket.io';
import type { Adapter, BroadcastOptions } from 'socket.io-adapter';

type AdapterFactory = (nsp: Namespace) => Adapter;
type Deliver = (socket: Socket) => void;

/**
 * How a large delivery is cut. A slice ends when it has held the event loop for `ms`, or
 * written to `sockets` sockets, whichever comes first; a delivery to at most `atOnce`
 * sockets is written whole, even while a sliced one is going out (a user's own events).
 * Between two slices the event loop turns once, and again while each turn accepts a new
 * connection, up to `turnsBetween` turns.
 */
export interface BroadcastSlicing {
  ms: number;
  sockets: number;
  atOnce: number;
  turnsBetween: number;
}

/**
 * At most 25 ms of writing per turn of the event loop, a quarter of the 100 ms in which a
 * user's event should reach every device: a user sent something while a broadcast to tens
 * of thousands of sockets goes out waits for one slice at most. Measured in time rather
 * than guessed as a socket count, because what a socket's write costs depends on the machine
 * and on how busy it is (20-50 µs on the 2-core benchmark machine).
 * A delivery to at most 1,000 sockets is written whole: 20-50 ms there, inside the 100 ms on
 * its own. Cut by time it went out in two or three slices with the loop's turns between them
 * (the last ones often a few dozen sockets), and its last socket waited for the write
 * completions of the slices before it: 1.2× Socket.IO's single loop against 1.04× whole
 * where writes were slow, and the same where one slice's budget nearly covered it.
 */
export const DEFAULT_BROADCAST_SLICING: BroadcastSlicing = {
  ms: 25,
  sockets: 10_000,
  atOnce: 1_000,
  // Up to 64 connections accepted between two slices; a turn without work is microseconds.
  turnsBetween: 64,
};

/** Sockets written between two readings of the clock: its cost is shared by this many writes. */
const CLOCK_EVERY = 32;

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

/** Connections accepted so far by each HTTP server a sliced adapter watches. */
const acceptedBy = new WeakMap<EventEmitter, { count: number }>();

/**
 * A reading of how many connections `server` (the Socket.IO server's HTTP server) has
 * accepted so far; one listener per server, whatever the number of namespaces.
 */
function acceptedConnections(server: EventEmitter): () => number {
  let accepted = acceptedBy.get(server);
  if (!accepted) {
    const counter = { count: 0 };
    server.on('connection', () => (counter.count += 1));
    acceptedBy.set(server, counter);
    accepted = counter;
  }
  const seen = accepted;
  return () => seen.count;
}

/** A delivery that goes out a slice at a time: the sockets that have not had it yet, in order. */
interface SlicedDelivery {
  deliver: Deliver;
  order: Socket[];
  next: number;
  /** The sockets from `next` on that have not had it (a catch-up may have written some). */
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
 * Socket.IO writes a broadcast to every matching socket in one synchronous loop: at 20-35 µs
 * a socket, a broadcast to 20,000 sockets holds the event loop for half a second, and every
 * other user's events, HTTP answers and heartbeats wait behind it. Here a delivery is
 * written for at most `slicing.ms` (or `slicing.sockets` sockets), then yields
 * (`setImmediate`) before the next slice. A delivery that fits in one slice is written at
 * once, whole, with no bookkeeping. Every delivery of the namespace (this process's own and
 * those arriving from other processes through the cluster adapter) ends in the adapter's
 * `apply`, which is where the slicing happens.
 *
 * Between two slices the event loop turns, and keeps turning (at most
 * `slicing.turnsBetween` times) while each turn accepts a new connection. Node accepts one
 * connection per turn of its loop (libuv stopped accepting in a loop in 2022), and a turn
 * that writes a slice lasts as long as the slice: with one turn per slice, every connection
 * opened during a long broadcast waited a slice for each one queued before it. A backend
 * whose keep-alive pool grows while answers take a slice longer then saw the first request
 * of each new connection wait for the end of the broadcast (a 6,000-socket broadcast held
 * such requests for 200-400 ms while requests on open connections took 20-40 ms). A turn
 * without a slice costs next to nothing; the bound keeps a flood of connections from holding
 * a broadcast up.
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
  slicing: Partial<BroadcastSlicing> = {},
  now: () => number = () => performance.now(),
): AdapterFactory {
  const limits = { ...DEFAULT_BROADCAST_SLICING, ...slicing };
  if (!(limits.ms > 0))
    throw new RangeError(`broadcast slice time must be positive, got ${limits.ms}`);
  for (const name of ['sockets', 'atOnce', 'turnsBetween'] as const) {
    if (!Number.isInteger(limits[name]) || limits[name] < 1)
      throw new RangeError(
        `broadcast slicing.${name} must be a positive integer, got ${limits[name]}`,
      );
  }
  return function slicedBroadcastAdapter(nsp: Namespace): Adapter {
    const adapter = factory(nsp);
    const hooks = adapter as unknown as DeliveringAdapter;
    // Looked up when a delivery is sliced, not now: the adapter may be made before the
    // server is attached to its HTTP server.
    let accepted: (() => number) | undefined;
    const acceptedSoFar = (): number => {
      if (!accepted) {
        const http = (nsp.server as { httpServer?: EventEmitter } | undefined)?.httpServer;
        if (!http) return 0;
        accepted = acceptedConnections(http);
      }
      return accepted();
    };
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

    /**
     * Writes `order` from `from` on, to the sockets `remaining` still holds (all of them
     * without it), until the slice's time or socket count is spent; answers where it stopped.
     */
    const writeSlice = (
      order: Socket[],
      from: number,
      deliver: Deliver,
      remaining?: Set<Socket>,
    ): number => {
      slicesWritten += 1;
      const endsAt = now() + limits.ms;
      const last = Math.min(order.length, from + limits.sockets);
      let next = from;
      while (next < last) {
        const socket = order[next++] as Socket;
        // A later sliced delivery can only be owed once this one is, so nothing is skipped.
        if (!remaining || remaining.delete(socket)) deliver(socket);
        if ((next - from) % CLOCK_EVERY === 0 && now() >= endsAt) break;
      }
      return next;
    };

    const drainSlice = () => {
      const delivery = queue[0];
      if (!delivery) {
        draining = false;
        return;
      }
      delivery.next = writeSlice(
        delivery.order,
        delivery.next,
        delivery.deliver,
        delivery.remaining,
      );
      if (delivery.next >= delivery.order.length) queue.shift();
      if (queue.length) setImmediate(turn, limits.turnsBetween - 1, acceptedSoFar());
      else draining = false;
    };

    /** One turn of the loop between slices: another while the last one accepted someone. */
    const turn = (turnsLeft: number, acceptedBefore: number) => {
      const acceptedNow = acceptedSoFar();
      if (acceptedNow !== acceptedBefore && turnsLeft > 0)
        setImmediate(turn, turnsLeft - 1, acceptedNow);
      else drainSlice();
    };

    /** Goes out at most a slice per turn of the event loop, behind the deliveries before it. */
    const enqueue = (deliver: Deliver, order: Socket[], next: number) => {
      queue.push({ deliver, order, next, remaining: new Set(order.slice(next)) });
      if (!draining) {
        draining = true;
        setImmediate(turn, limits.turnsBetween - 1, acceptedSoFar());
      }
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
      if (kind === 'whole' || targets.length <= limits.atOnce) {
        for (const socket of targets) {
          if (queue.length) catchUp(socket);
          deliver(socket);
        }
        return;
      }
      // Behind a delivery still going out, in emit order; otherwise its first slice now.
      if (queue.length) return enqueue(deliver, targets, 0);
      const next = writeSlice(targets, 0, deliver);
      if (next < targets.length) enqueue(deliver, targets, next);
    };
    return adapter;
  };
}
