/**
 * A real Socket.IO server on an ephemeral port that speaks the bits of Herald's contract
 * the client libraries rely on: JWT handshake with error codes,
 * `authenticated` + `notification:unread_count` on connect, expiry while connected,
 * `auth:refresh`, the three inbox events with acknowledgements, and the inbox's HTTP
 * endpoints. Used by the unit tests of realtime-client and realtime-react; the real API
 * is exercised by the Playwright suite.
 */
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Server, type Socket } from 'socket.io';
import {
  ErrorCode,
  userRoom,
  type AckCallback,
  type ClientToServerEvents,
  type InterServerEvents,
  type Notification,
  type ServerEventPayloads,
  type ServerToClientEvents,
  type SocketData,
} from '@herald/ws-contracts';

// HS256 with node:crypto rather than jose: jose's Uint8Array checks trip over jsdom's
// separate realm in the React specs, and this server only needs the one algorithm.
const SECRET = 'test-secret-for-realtime-client-specs-0123456789';
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const hmac = (input: string) => createHmac('sha256', SECRET).update(input).digest();

type TestSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export async function mintToken(
  userId: string,
  options: { expiresInSeconds?: number; email?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      sub: userId,
      email: options.email ?? `${userId}@example.com`,
      iat: now,
      exp: now + (options.expiresInSeconds ?? 3600),
    }),
  );
  return `${header}.${claims}.${b64url(hmac(`${header}.${claims}`))}`;
}

export interface TestServerOptions {
  /** Reuse a port (to simulate a restart of the same server). */
  port?: number;
  /** Acknowledge nothing for this event (to provoke ACK_TIMEOUT). */
  silentEvents?: string[];
  /** Delay every HTTP answer (its data is read after the delay), to race events against a resync. */
  httpDelayMs?: number;
  /** Refuse the first `count` handshakes with this code (e.g. RATE_LIMITED). */
  refuseFirst?: { count: number; code: ErrorCode };
}

export interface TestServer {
  url: string;
  port: number;
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  /** Number of handshakes the middleware saw, and the tokens they carried. */
  handshakes: Array<{ token: string | undefined; accepted: boolean }>;
  /** `auth:refresh` requests that were accepted. */
  refreshes: string[];
  /** Every `notification:received` message, in arrival order (its ids). */
  receipts: string[][];
  notify(userId: string, title: string): Notification;
  /** Stores a notification without pushing it (as if the user was offline). */
  store(userId: string, title: string): Notification;
  inboxOf(userId: string): Notification[];
  emitTo<E extends keyof ServerEventPayloads>(
    userId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void;
  socketsOf(userId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const inboxes = new Map<string, Notification[]>();
  const inboxOf = (userId: string) => {
    let inbox = inboxes.get(userId);
    if (!inbox) inboxes.set(userId, (inbox = []));
    return inbox;
  };
  const unread = (userId: string) => inboxOf(userId).filter((n) => n.readAt === null).length;

  const http: HttpServer = createServer((req, res) => {
    void handleHttp(req, res);
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    http,
    { path: '/socket.io/', cors: { origin: true } },
  );
  const handshakes: TestServer['handshakes'] = [];
  const refreshes: string[] = [];
  const receipts: string[][] = [];
  const expiryTimers = new Map<string, ReturnType<typeof setTimeout>>();

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (options.refuseFirst && handshakes.length < options.refuseFirst.count) {
      handshakes.push({ token: typeof token === 'string' ? token : undefined, accepted: false });
      const error = new Error('refused by the test') as Error & { data: { code: string } };
      error.data = { code: options.refuseFirst.code };
      return next(error);
    }
    const verdict = await verify(typeof token === 'string' ? token : undefined);
    handshakes.push({
      token: typeof token === 'string' ? token : undefined,
      accepted: 'userId' in verdict,
    });
    if ('code' in verdict) {
      const error = new Error(verdict.message) as Error & { data: { code: string } };
      error.data = { code: verdict.code };
      return next(error);
    }
    socket.data = {
      userId: verdict.userId,
      email: verdict.email,
      role: null,
      tokenExpiresAt: verdict.exp,
    };
    next();
  });

  const armExpiry = (socket: TestSocket) => {
    clearTimeout(expiryTimers.get(socket.id));
    const at = socket.data.tokenExpiresAt;
    if (at === null) return;
    expiryTimers.set(
      socket.id,
      setTimeout(
        () => {
          socket.emit('error', { message: 'token expired', code: ErrorCode.TokenExpired });
          socket.disconnect(true);
        },
        Math.max(0, at - Date.now()),
      ),
    );
  };

  io.on('connection', (socket: TestSocket) => {
    const { userId, email } = socket.data;
    void socket.join(userRoom(userId));
    socket.emit('authenticated', { success: true, userId, email });
    socket.emit('notification:unread_count', { unreadCount: unread(userId) });
    armExpiry(socket);
    socket.on('disconnect', () => clearTimeout(expiryTimers.get(socket.id)));

    const silent = new Set(options.silentEvents ?? []);
    const handle = <A extends unknown[]>(
      event: keyof ClientToServerEvents,
      fn: (...args: A) => void,
    ) => {
      socket.on(event, ((...args: A) => {
        if (!silent.has(event)) fn(...args);
      }) as never);
    };

    handle(
      'notification:mark_read',
      (payload: { notificationId: string }, ack: AckCallback<Record<string, unknown>>) => {
        const item = inboxOf(userId).find((n) => n.id === payload?.notificationId);
        if (!item)
          return ack({ ok: false, error: { code: ErrorCode.NotFound, message: 'not found' } });
        item.readAt ??= new Date().toISOString();
        const unreadCount = unread(userId);
        io.to(userRoom(userId)).emit('notification:read', {
          notificationId: item.id,
          success: true,
        });
        io.to(userRoom(userId)).emit('notification:unread_count', { unreadCount });
        ack({ ok: true, notificationId: item.id, unreadCount });
      },
    );
    handle(
      'notification:mark_all_read',
      (_payload: object, ack: AckCallback<Record<string, unknown>>) => {
        let updated = 0;
        for (const n of inboxOf(userId)) {
          if (n.readAt !== null) continue;
          n.readAt = new Date().toISOString();
          updated++;
        }
        io.to(userRoom(userId)).emit('notification:read', {
          notificationId: null,
          success: true,
          all: true,
        });
        io.to(userRoom(userId)).emit('notification:unread_count', { unreadCount: 0 });
        ack({ ok: true, updated, unreadCount: 0 });
      },
    );
    handle(
      'notification:received',
      (payload: { notificationIds: string[] }, ack: AckCallback<Record<string, unknown>>) => {
        receipts.push([...payload.notificationIds]);
        for (const n of inboxOf(userId))
          if (payload.notificationIds.includes(n.id)) n.deliveredAt ??= new Date().toISOString();
        ack({ ok: true });
      },
    );
    handle(
      'notification:delete',
      (payload: { notificationId: string }, ack: AckCallback<Record<string, unknown>>) => {
        const inbox = inboxOf(userId);
        const index = inbox.findIndex((n) => n.id === payload?.notificationId);
        if (index < 0)
          return ack({ ok: false, error: { code: ErrorCode.NotFound, message: 'not found' } });
        const [removed] = inbox.splice(index, 1);
        const unreadCount = unread(userId);
        io.to(userRoom(userId)).emit('notification:deleted', { notificationId: removed.id });
        io.to(userRoom(userId)).emit('notification:unread_count', { unreadCount });
        ack({ ok: true, notificationId: removed.id, unreadCount });
      },
    );
    handle(
      'auth:refresh',
      async (payload: { token: string }, ack: AckCallback<Record<string, unknown>>) => {
        const verdict = await verify(payload?.token);
        if ('code' in verdict)
          return ack({ ok: false, error: { code: verdict.code, message: verdict.message } });
        if (verdict.userId !== userId) {
          return ack({ ok: false, error: { code: ErrorCode.Forbidden, message: 'another user' } });
        }
        socket.data.tokenExpiresAt = verdict.exp;
        refreshes.push(payload.token);
        armExpiry(socket);
        ack({
          ok: true,
          userId,
          expiresAt: verdict.exp === null ? null : new Date(verdict.exp).toISOString(),
        });
      },
    );
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (options.httpDelayMs) await new Promise((r) => setTimeout(r, options.httpDelayMs));
    const header = req.headers.authorization ?? '';
    const verdict = await verify(header.startsWith('Bearer ') ? header.slice(7) : undefined);
    if ('code' in verdict)
      return send(401, { statusCode: 401, message: verdict.message, error: 'Unauthorized' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const inbox = inboxOf(verdict.userId);
    if (req.method === 'GET' && url.pathname === '/api/notifications') {
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const items = inbox.slice(start, start + limit);
      const next = start + limit < inbox.length ? String(start + limit) : null;
      return send(200, { items, nextCursor: next });
    }
    if (req.method === 'GET' && url.pathname === '/api/notifications/unread-count') {
      return send(200, { unreadCount: unread(verdict.userId) });
    }
    send(404, { statusCode: 404, message: 'not found', error: 'Not Found' });
  }

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const store = (userId: string, title: string): Notification => {
    const notification: Notification = {
      id: randomUUID(),
      userId,
      type: 'info',
      title,
      message: `${title} message`,
      data: null,
      createdAt: new Date().toISOString(),
      deliveredAt: null,
      readAt: null,
      expiresAt: null,
    };
    inboxOf(userId).unshift(notification);
    return notification;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    io,
    handshakes,
    refreshes,
    receipts,
    store,
    inboxOf,
    notify(userId, title) {
      const notification = store(userId, title);
      io.to(userRoom(userId)).emit('notification:new', {
        notification,
        timestamp: new Date().toISOString(),
      });
      io.to(userRoom(userId)).emit('notification:unread_count', { unreadCount: unread(userId) });
      return notification;
    },
    emitTo(userId, event, payload) {
      // The typed map makes a generic emit awkward; the contract types the arguments above.
      (io.to(userRoom(userId)) as unknown as { emit(e: string, p: unknown): void }).emit(
        event,
        payload,
      );
    },
    async socketsOf(userId) {
      return (await io.in(userRoom(userId)).fetchSockets()).length;
    },
    async close() {
      for (const timer of expiryTimers.values()) clearTimeout(timer);
      // Like a process shutting down: transports close without a "disconnect" decision,
      // so clients treat it as a lost connection and reconnect.
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

type Verdict =
  | { userId: string; email: string | null; exp: number | null }
  | { code: ErrorCode; message: string };

async function verify(token: string | undefined): Promise<Verdict> {
  if (!token) return { code: ErrorCode.TokenMissing, message: 'no token' };
  const invalid = { code: ErrorCode.TokenInvalid, message: 'invalid token' } as const;
  const [header, claims, signature] = token.split('.');
  if (!header || !claims || !signature) return invalid;
  const expected = hmac(`${header}.${claims}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  let payload: { sub?: unknown; email?: unknown; exp?: unknown };
  try {
    if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') return invalid;
    payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
  } catch {
    return invalid;
  }
  if (typeof payload.sub !== 'string' || !payload.sub) return invalid;
  const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  if (exp !== null && exp <= Date.now()) {
    return { code: ErrorCode.TokenExpired, message: 'token expired' };
  }
  return {
    userId: payload.sub,
    email: typeof payload.email === 'string' ? payload.email : null,
    exp,
  };
}
