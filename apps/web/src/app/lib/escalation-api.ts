import type { DemoWebhookDelivery } from '@herald/ws-contracts';
import type {
  EscalationChannel,
  EscalationState,
  HttpErrorBody,
  Notification,
} from '@herald/ws-contracts';

/** Where a notification's escalations stand, as the demo route answers it. */
export interface EscalationView {
  configured: EscalationChannel[];
  escalations: EscalationState[];
}

async function request<T>(path: string, token: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as HttpErrorBody | null)?.message;
    throw new Error(
      Array.isArray(message) ? message.join('; ') : (message ?? `HTTP ${response.status}`),
    );
  }
  return body as T;
}

/**
 * One escalation webhook the API's demo inbox (POST /api/demo/webhook-inbox) received and
 * verified against WEBHOOK_SECRET: only verified deliveries are ever listed.
 */

/** The demo routes behind the escalation panel (same origin, the user's demo token). */
export const escalationApi = {
  send: (
    token: string,
    body: { userId: string; title: string; message: string; escalateAfterSeconds: number },
  ) =>
    request<Notification>('/api/demo/notifications', token, {
      method: 'POST',
      body: JSON.stringify(body),
    }),
  status: (token: string, notificationId: string) =>
    request<EscalationView>(`/api/demo/escalations/${encodeURIComponent(notificationId)}`, token),
  /** The last 50 verified webhook deliveries, newest first. */
  webhookInbox: (token: string) => request<DemoWebhookDelivery[]>('/api/demo/webhook-inbox', token),
};
