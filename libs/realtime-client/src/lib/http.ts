import type { HttpErrorBody, NotificationPage, UnreadCountResponse } from '@herald/ws-contracts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An HTTP answer outside 2xx, with Herald's JSON error body when there was one. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: HttpErrorBody | null,
  ) {
    const detail = body
      ? Array.isArray(body.message)
        ? body.message.join('; ')
        : body.message
      : '';
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'HttpError';
  }
}

/**
 * The user endpoints of the inbox, with the socket's own token. The inbox
 * resyncs through them on every (re)connect and falls back to them when the socket is down.
 */
export class InboxHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
    private readonly fetchImpl: FetchLike,
  ) {}

  list(query: { limit: number; cursor?: string; unread?: boolean }): Promise<NotificationPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.unread) params.set('unread', 'true');
    return this.request<NotificationPage>('GET', `/api/notifications?${params.toString()}`);
  }

  unreadCount(): Promise<UnreadCountResponse> {
    return this.request<UnreadCountResponse>('GET', '/api/notifications/unread-count');
  }

  markRead(id: string): Promise<unknown> {
    return this.request('PATCH', `/api/notifications/${encodeURIComponent(id)}/read`);
  }

  markAllRead(): Promise<unknown> {
    return this.request('POST', '/api/notifications/read-all');
  }

  remove(id: string): Promise<unknown> {
    return this.request('DELETE', `/api/notifications/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: string, path: string): Promise<T> {
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' },
    });
    const text = await response.text();
    const body: unknown = text ? safeJson(text) : null;
    if (!response.ok) throw new HttpError(response.status, (body as HttpErrorBody | null) ?? null);
    return body as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
