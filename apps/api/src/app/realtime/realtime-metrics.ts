import { Counter, Gauge, type Registry } from 'prom-client';
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
