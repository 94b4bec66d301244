import {
  type ApiProcess,
  createScratchDatabase,
  mintToken,
  type ScratchDatabase,
  startApi,
  TEST_API_KEY,
} from '../../../../tools/testing/index.mjs';
import type { Notification } from '@herald/ws-contracts';
import { createSocket, type TestSocket } from '../support/clients';

/** The two engines every inbox test runs on. */
export interface Engine {
  name: 'PGlite' | 'PostgreSQL';
  /** Environment for startApi; `cleanup` removes what was created for it. */
  prepare(runId: string): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>;
}

export const ENGINES: Engine[] = [
  {
    name: 'PGlite',
    prepare: async () => ({ env: { DATABASE_URL: 'memory://' }, cleanup: async () => undefined }),
  },
  {
    name: 'PostgreSQL',
    prepare: async (runId) => {
      const database: ScratchDatabase = await createScratchDatabase(runId);
      return { env: { DATABASE_URL: database.url }, cleanup: () => database.drop() };
    },
  },
];

/**
 * An embedded database's first open runs initdb in WebAssembly: seconds when the machine
 * is idle, much longer when it is shared with other test runs. Generous, never a target.
 */
export const START_TIMEOUT_MS = 120_000;
/** For beforeAll hooks that start an API. */
export const START_HOOK_TIMEOUT_MS = START_TIMEOUT_MS + 30_000;

/** Starts one API on `engine`; `stop()` stops it and removes its database. */
export async function startApiOn(engine: Engine, runId: string, env: Record<string, string> = {}) {
  const prepared = await engine.prepare(runId);
  let api: ApiProcess;
  try {
    api = await startApi({ env: { ...prepared.env, ...env }, startTimeoutMs: START_TIMEOUT_MS });
  } catch (error) {
    await prepared.cleanup();
    throw error;
  }
  return {
    api,
    async stop() {
      await api.stop();
      await prepared.cleanup();
    },
  };
}

let counter = 0;
/** A user id no other test (or earlier run on the same database) uses. */
export const uniqueUser = (label = 'user') =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

async function json<T>(res: Response): Promise<JsonResponse<T>> {
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The service API (`x-api-key`). */
export async function serviceSend<T = Notification | Notification[]>(
  api: ApiProcess,
  body: unknown,
  apiKey = TEST_API_KEY,
) {
  const res = await fetch(`${api.url}/api/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  });
  return json<T>(res);
}

export async function servicePost<T>(api: ApiProcess, path: string, body: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify(body),
  });
  return json<T>(res);
}

/** A user's HTTP calls with their Bearer token. */
export async function asUser(api: ApiProcess, userId: string) {
  const token = await mintToken(userId);
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return json<T>(res);
  };
  return { token, call };
}

export interface RecordedEvent {
  event: string;
  payload: unknown;
}

/**
 * One signed-in device: a Socket.IO client that records every event from the first one
 * on (so the unread count sent right after `authenticated` is never missed).
 */
export class Device {
  readonly events: RecordedEvent[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: TestSocket) {
    socket.onAny((event: string, payload: unknown) => {
      this.events.push({ event, payload });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string, token: string): Promise<Device> {
    const socket = createSocket(url, { token });
    const device = new Device(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
      void device.waitFor('authenticated').then(() => resolve(), reject);
    });
    return device;
  }

  /** Payloads of `event` received so far that match `predicate`. */
  received<T = unknown>(event: string, predicate: (payload: T) => boolean = () => true): T[] {
    return this.events
      .filter((e) => e.event === event && predicate(e.payload as T))
      .map((e) => e.payload as T);
  }

  /** Resolves with the first (past or future) `event` matching `predicate`. */
  async waitFor<T = unknown>(
    event: string,
    predicate: (payload: T) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [hit] = this.received<T>(event, predicate);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.map((e) => `${e.event} ${JSON.stringify(e.payload)}`).join('\n  ');
        throw new Error(`no matching "${event}" within ${timeoutMs} ms; received:\n  ${seen}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The last unread count this device was told. */
  lastUnreadCount(): number | undefined {
    const counts = this.received<{ unreadCount: number }>('notification:unread_count');
    return counts[counts.length - 1]?.unreadCount;
  }

  /** Waits until the latest unread count received equals `expected`. */
  async waitForUnreadCount(expected: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastUnreadCount() !== expected) {
      if (Date.now() > deadline)
        throw new Error(`unread count is ${this.lastUnreadCount()}, expected ${expected}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.close();
  }
}

export async function connectDevices(url: string, token: string, count: number): Promise<Device[]> {
  return Promise.all(Array.from({ length: count }, () => Device.connect(url, token)));
}

export { sleep as pause } from '../../../../tools/testing/index.mjs';
