import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RealtimeStats, WebSocketService } from '@herald/realtime';

/**
 * The gateway's counters as Prometheus metrics, read at scrape time (the library keeps
 * plain numbers and knows nothing of prom-client).
 */
export function registerRealtimeMetrics(
  registry: Registry,
  ws: WebSocketService,
  stats: RealtimeStats,
): void {
  new Gauge({
    name: 'herald_ws_connections',
    help: 'Socket.IO connections open on this process',
    registers: [registry],
    collect() {
      this.set(ws.localConnections);
    },
  });
  new Counter({
    name: 'herald_ws_handshakes_total',
    help: 'Socket.IO handshakes by outcome: accepted, or the refusal code',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of stats.handshakes) this.inc({ outcome }, count);
    },
  });
  new Counter({
    name: 'herald_ws_client_events_total',
    help: 'Client to server events by outcome: ok, or the error code answered',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of stats.clientEvents) this.inc({ outcome }, count);
    },
  });
  new Gauge({
    name: 'herald_ws_users',
    help: 'Distinct users with at least one Socket.IO connection on this process',
    registers: [registry],
    collect() {
      this.set(ws.localUsers);
    },
  });
  new Counter({
    name: 'herald_ws_events_emitted_total',
    help: 'Server events emitted by this process, by event name (one per emit, not per socket)',
    labelNames: ['event'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [event, count] of stats.emitted) this.inc({ event }, count);
    },
  });
  const delivery = new Histogram({
    name: 'herald_notification_delivery_seconds',
    help: "From a notification's createdAt (stored) to its push being handed to Socket.IO",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  stats.onDelivery((milliseconds) => delivery.observe(milliseconds / 1000));
  new Gauge({
    name: 'herald_ws_expiry_timers',
    help: 'Sockets of this process scheduled for disconnection at token expiry (at most one per connected socket)',
    registers: [registry],
    collect() {
      this.set(stats.armedExpiryTimers);
    },
  });
  new Counter({
    name: 'herald_ws_token_expiries_total',
    help: 'Sockets disconnected because their token expired',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats.tokenExpiries);
    },
  });
}
