import { Counter, Gauge, type Registry } from 'prom-client';
import { ESCALATION_CHANNELS, type EscalationChannel } from '@herald/ws-contracts';

/** Outcomes counted per channel; `retried` is a failed attempt with another to come. */
export type EscalationOutcome =
  'sent' | 'failed' | 'skipped' | 'cancelled' | 'retried' | 'postponed';

export interface EscalationMetrics {
  count(channel: EscalationChannel, outcome: EscalationOutcome): void;
}

/**
 * `herald_escalations_total{channel,outcome}` (this process's outcomes) and
 * `herald_escalations_pending{channel}` (the whole cluster's schedule, read on scrape).
 */
export function registerEscalationMetrics(
  registry: Registry,
  pendingByChannel: () => Promise<Map<EscalationChannel, number>>,
): EscalationMetrics {
  const outcomes = new Counter({
    name: 'herald_escalations_total',
    help: 'Escalation outcomes on this process, by channel (sent, failed, skipped, cancelled, retried, postponed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'herald_escalations_pending',
    help: 'Escalations waiting to be sent (due, retrying or held by quiet hours), by channel',
    labelNames: ['channel'] as const,
    registers: [registry],
    async collect() {
      try {
        const pending = await pendingByChannel();
        for (const channel of ESCALATION_CHANNELS) this.set({ channel }, pending.get(channel) ?? 0);
      } catch {
        // A scrape during a database outage shows the last known values.
      }
    },
  });
  return { count: (channel, outcome) => outcomes.inc({ channel, outcome }) };
}
