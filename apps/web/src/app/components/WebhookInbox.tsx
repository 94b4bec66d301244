import { useCallback, useEffect, useState } from 'react';
import type { DemoWebhookDelivery } from '@herald/ws-contracts';
import { escalationApi } from '../lib/escalation-api';

const POLL_MS = 2_000;
/** After a failed read (API restarting, demo routes off): try again, less often. */
const RETRY_MS = 10_000;

/**
 * The API's local webhook inbox: every escalation webhook that reached
 * POST /api/demo/webhook-inbox with a valid signature, newest first. `npm start` points
 * ESCALATION_WEBHOOK_URL there when no channel is configured, so sending to an offline
 * user shows the webhook arrive here. Polls while the page is visible, less often while
 * reads fail; "Refresh" reads at once.
 */
export function WebhookInbox({
  token,
  highlight,
}: {
  token: () => string | null;
  /** A notification id whose deliveries are marked (the one just sent). */
  highlight?: string;
}) {
  const [deliveries, setDeliveries] = useState<DemoWebhookDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped by "Refresh": restarts the polling with an immediate read.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      const current = token();
      if (stopped || !current) return;
      let delay = POLL_MS;
      if (document.visibilityState === 'visible') {
        try {
          const next = await escalationApi.webhookInbox(current);
          if (stopped) return;
          setDeliveries(next);
          setError(null);
        } catch (failure) {
          if (stopped) return;
          setError(failure instanceof Error ? failure.message : String(failure));
          delay = RETRY_MS;
        }
      }
      timer = setTimeout(() => void poll(), delay);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [token, generation]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  return (
    <div className="webhook-inbox" data-testid="webhook-inbox">
      <div className="webhook-inbox__header">
        <h3 className="webhook-inbox__title">Webhook inbox (local)</h3>
        <button type="button" className="link-button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {error ? (
        <p className="feedback feedback--error" role="alert">
          {error}
        </p>
      ) : null}
      {deliveries && deliveries.length === 0 ? (
        <p className="muted">
          Nothing received yet. Webhooks land here when ESCALATION_WEBHOOK_URL points at
          /api/demo/webhook-inbox (what <code>npm start</code> does with no channel configured).
        </p>
      ) : null}
      {deliveries && deliveries.length > 0 ? (
        <ul className="sent-list">
          {deliveries.map((d) => (
            <li
              key={d.id}
              className={`sent-list__item${d.notificationId === highlight ? ' sent-list__item--delivered' : ''}`}
              data-testid="webhook-delivery"
              data-notification-id={d.notificationId}
            >
              <span className="sent-list__title" title={`${d.type}, webhook-id ${d.id}`}>
                {d.title} <span className="muted">→ {d.userId}</span>
              </span>
              <span className="sent-list__state">
                <span className="webhook-inbox__verified">✓ signature verified</span>{' '}
                {new Date(d.receivedAt).toLocaleTimeString()}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
