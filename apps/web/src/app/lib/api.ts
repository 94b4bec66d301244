import type {
  DemoLoginResponse,
  DemoUser,
  GrantXpResponse,
  HttpErrorBody,
  LeaderboardUpdatedPayload,
  Notification,
  NotificationStatus,
  ServerEventPayloads,
} from '@herald/ws-contracts';

/**
 * The demo's HTTP calls. Same origin: Vite proxies /api to the Herald API in dev and
 * preview, so the browser never needs CORS and never holds a service key.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const { token, ...rest } = init;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (rest.body) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { ...rest, headers });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Is the API running?');
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = body as HttpErrorBody | null;
    const message = Array.isArray(error?.message) ? error.message.join('; ') : error?.message;
    throw new ApiError(response.status, message || `Request failed (${response.status})`);
  }
  return body as T;
}

export const api = {
  demoLogin: (body: { email: string; userId?: string; name?: string }) =>
    request<DemoLoginResponse>('/api/auth/demo-login', {
      method: 'POST',
      body: JSON.stringify(body),
    }),

  demoUsers: (token: string) => request<DemoUser[]>('/api/demo/users', { token }),

  sendNotification: (
    token: string,
    body: {
      userId?: string;
      userIds?: string[];
      title: string;
      message: string;
      type?: string;
      expiresAt?: string;
    },
  ) =>
    request<Notification | Notification[]>('/api/demo/notifications', {
      method: 'POST',
      token,
      body: JSON.stringify(body),
    }),

  /** Where a sent notification stands (the demo twin of the service's status endpoint). */
  notificationStatus: (token: string, id: string) =>
    request<NotificationStatus>(`/api/demo/notifications/${encodeURIComponent(id)}/status`, {
      token,
    }),

  grantXp: (token: string, body: { userId: string; amount: number; source: string }) =>
    request<GrantXpResponse>('/api/demo/xp', { method: 'POST', token, body: JSON.stringify(body) }),

  broadcast: <E extends keyof ServerEventPayloads>(
    token: string,
    event: E,
    payload: ServerEventPayloads[E],
  ) =>
    request<{ delivered: boolean }>('/api/demo/broadcast', {
      method: 'POST',
      token,
      body: JSON.stringify({ event, payload }),
    }),

  leaderboard: (token: string) =>
    request<LeaderboardUpdatedPayload>('/api/gamification/leaderboard', { token }),
};
