#!/usr/bin/env node
// The benchmark's baseline (target d): a plain Socket.IO server that does the least work
// Herald's contract needs, so every Herald figure can be read as "what the framework,
// validation and persistence cost on top of raw Socket.IO".
//
// - handshake: HS256 JWT from `auth.token` or `Authorization: Bearer` (jose), refused with
//   `data.code` like Herald; accepted sockets join `user:{sub}` and get `authenticated`
//   then `notification:unread_count`;
// - HTTP (x-api-key): POST /api/realtime/users/:userId/events {event,payload},
//   POST /api/realtime/broadcast {event,payload}, and POST /api/notifications
//   {userId|userIds,title,message,type?,data?} which builds the same records Herald stores
//   but stores NOTHING (only an in-memory unread counter) — the floor for the stored path;
// - GET /api/health.
// Same env as the API: PORT, HOST, JWT_SECRET, API_KEY, WS_PATH.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { errors as joseErrors, jwtVerify } from 'jose';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const apiKey = process.env.API_KEY ?? '';
const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const wsPath = process.env.WS_PATH ?? '/socket.io/';
const BODY_LIMIT = 1024 * 1024;

if (apiKey.length < 16 || secret.length === 0) {
  process.stderr.write('baseline-server: JWT_SECRET and API_KEY (>= 16 characters) are required\n');
  process.exit(1);
}

const SERVER_EVENTS = new Set([
  'authenticated',
  'error',
  'notification:new',
  'notification:read',
  'notification:deleted',
  'notification:unread_count',
  'achievement:unlocked',
  'rank:updated',
  'xp:gained',
  'leaderboard:updated',
]);

/** Unread counters only: the baseline keeps no notifications. */
const unread = new Map();

function authError(message, code) {
  const error = new Error(message);
  error.data = { code };
  return error;
}

function tokenOf(handshake) {
  const fromAuth = handshake.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const header = handshake.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7);
  return undefined;
}

const http = createServer((req, res) => void route(req, res));
const io = new Server(http, {
  path: wsPath,
  transports: ['websocket', 'polling'],
  serveClient: false,
});

io.use(async (socket, next) => {
  const token = tokenOf(socket.handshake);
  if (!token) return next(authError('Authentication token missing', 'TOKEN_MISSING'));
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      clockTolerance: 5,
    });
    if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('sub');
    socket.data.userId = payload.sub;
    socket.data.email = typeof payload.email === 'string' ? payload.email : null;
    next();
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    next(
      authError(
        expired ? 'Token expired' : 'Invalid token',
        expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
      ),
    );
  }
});

io.on('connection', (socket) => {
  const { userId, email } = socket.data;
  socket.join(`user:${userId}`);
  socket.emit('authenticated', { success: true, userId, email });
  socket.emit('notification:unread_count', { unreadCount: unread.get(userId) ?? 0 });
});

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fail(res, status, message) {
  const error = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    413: 'Payload Too Large',
  }[status];
  send(res, status, { statusCode: status, message, error });
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(Object.assign(new Error('invalid JSON'), { status: 400 }));
      }
    });
    req.on('error', reject);
  });
}

const USER_EVENTS = /^\/api\/realtime\/users\/([^/]+)\/events$/;

async function route(req, res) {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/api/health') return send(res, 200, { status: 'ok' });
  if (req.method !== 'POST') return fail(res, 404, 'Not found');
  const userEvents = USER_EVENTS.exec(url);
  if (!userEvents && url !== '/api/realtime/broadcast' && url !== '/api/notifications') {
    return fail(res, 404, 'Not found');
  }
  if (req.headers['x-api-key'] !== apiKey) return fail(res, 401, 'Invalid API key');
  let body;
  try {
    body = await readJson(req);
  } catch (error) {
    return fail(res, error.status ?? 400, error.message);
  }

  if (userEvents || url === '/api/realtime/broadcast') {
    if (!body || !SERVER_EVENTS.has(body.event))
      return fail(res, 400, 'event must be a server event');
    if (userEvents) {
      const room = `user:${decodeURIComponent(userEvents[1])}`;
      io.to(room).emit(body.event, body.payload);
      return send(res, 200, { delivered: (io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0 });
    }
    io.emit(body.event, body.payload);
    return send(res, 200, { delivered: true });
  }

  // POST /api/notifications: the records Herald would store, built and pushed, never stored.
  const userIds = body?.userIds ?? (body?.userId === undefined ? undefined : [body.userId]);
  if (
    !Array.isArray(userIds) ||
    userIds.length === 0 ||
    typeof body.title !== 'string' ||
    typeof body.message !== 'string'
  ) {
    return fail(res, 400, 'userId or userIds, title and message are required');
  }
  const createdAt = new Date().toISOString();
  const records = userIds.map((userId) => ({
    id: randomUUID(),
    userId,
    type: body.type ?? 'info',
    title: body.title,
    message: body.message,
    data: body.data ?? null,
    createdAt,
    readAt: null,
  }));
  for (const notification of records) {
    const count = (unread.get(notification.userId) ?? 0) + 1;
    unread.set(notification.userId, count);
    const room = io.to(`user:${notification.userId}`);
    room.emit('notification:new', { notification, timestamp: createdAt });
    room.emit('notification:unread_count', { unreadCount: count });
  }
  return send(res, 201, records);
}

function shutdown() {
  // Like a real deploy: sockets are closed (clients reconnect), then the process exits.
  io.close();
  setTimeout(() => process.exit(0), 200).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

http.listen(port, host, () => {
  const address = http.address();
  process.stdout.write(`baseline listening on http://${host}:${address.port}/api\n`);
});
