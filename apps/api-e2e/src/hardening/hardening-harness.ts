import { type ApiProcess, mintToken, TEST_API_KEY } from '../../../../tools/testing/index.mjs';
import type { Notification, NotificationPage } from '@herald/ws-contracts';
import { createSocket, type TestSocket } from '../support/clients';
import { expectApiErrorBody } from '../support/error-body';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  /** Bearer token (user endpoints). */
  token?: string;
  /** `x-api-key` (service endpoints); `null` sends none. */
  apiKey?: string | null;
  /** A JSON-serialisable body. */
  body?: unknown;
  /** A body sent as it is (malformed JSON, wrong content types). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

/**
 * One HTTP call; the body is parsed as JSON when it is JSON, kept as text otherwise. An
 * error answer must have the API's error shape with its `code`.
 */
export async function call<T = unknown>(
  api: ApiProcess,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.apiKey !== null && options.apiKey !== undefined)
    headers['x-api-key'] = options.apiKey;
  let body: string | Blob | undefined;
  if (options.rawBody !== undefined)
    body =
      typeof options.rawBody === 'string'
        ? options.rawBody
        : new Blob([new Uint8Array(options.rawBody)]);
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  expectApiErrorBody(path, res.status, parsed);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A service call with the test API key. */
export const service = <T = unknown>(
  api: ApiProcess,
  method: string,
  path: string,
  body?: unknown,
) => call<T>(api, method, path, { apiKey: TEST_API_KEY, body });

let counter = 0;
/** A user id unique to this process and test. */
export const uniqueUser = (label: string) =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

/** Every notification in the user's inbox (follows the cursor). */
export async function inboxOf(api: ApiProcess, userId: string): Promise<Notification[]> {
  const token = await mintToken(userId);
  const items: Notification[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const page: HttpResult<NotificationPage> = await call<NotificationPage>(
      api,
      'GET',
      `/api/notifications${query}`,
      { token },
    );
    if (page.status !== 200)
      throw new Error(`inbox of ${userId} answered ${page.status}: ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/**
 * A well-behaved user who stays connected while the test attacks the server. After each
 * attack, `assertUnaffected` proves the process is alive and serves this user normally:
 * health answers 200, the socket is still connected, and a pushed event still arrives.
 */
export class Bystander {
  private constructor(
    readonly userId: string,
    readonly socket: TestSocket,
  ) {}

  static async connect(api: ApiProcess, label = 'bystander'): Promise<Bystander> {
    const userId = uniqueUser(label);
    return Bystander.connectWithToken(api, userId, await mintToken(userId, { expiresIn: 3_600 }));
  }

  /** For APIs that verify other tokens than the test HS256 secret (e.g. RS256). */
  static async connectWithToken(
    api: ApiProcess,
    userId: string,
    token: string,
  ): Promise<Bystander> {
    const socket = createSocket(api.url, { token });
    await new Promise<void>((resolve, reject) => {
      socket.once('authenticated', () => resolve());
      socket.once('connect_error', reject);
    });
    return new Bystander(userId, socket);
  }

  async assertUnaffected(api: ApiProcess): Promise<void> {
    const health = await fetch(`${api.url}/api/health`);
    if (health.status !== 200)
      throw new Error(`health answered ${health.status}: ${await health.text()}`);
    await health.text();
    if (!this.socket.connected) throw new Error(`the bystander ${this.userId} was disconnected`);
    const marker = Math.floor(Math.random() * 1e9) + 1;
    const received = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the bystander got no pushed event within 5 s')),
        5_000,
      );
      const onXp = (payload: { totalXp: number }) => {
        if (payload.totalXp !== marker) return;
        clearTimeout(timer);
        this.socket.off('xp:gained', onXp);
        resolve();
      };
      this.socket.on('xp:gained', onXp);
    });
    const sent = await service(
      api,
      'POST',
      `/api/realtime/users/${encodeURIComponent(this.userId)}/events`,
      {
        event: 'xp:gained',
        payload: { amount: 1, source: 'liveness', totalXp: marker },
      },
    );
    if (sent.status !== 202) throw new Error(`the service emit answered ${sent.status}`);
    await received;
  }

  close(): void {
    this.socket.close();
  }
}

/** Lines of the API's log that contain `needle`. */
export const logLinesWith = (api: ApiProcess, needle: string) =>
  api.logs.filter((line) => line.includes(needle));
