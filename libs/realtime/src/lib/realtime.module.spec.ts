import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  NotFoundException,
  UseFilters,
  UseGuards,
  type CanActivate,
  type INestApplication,
  type OnModuleInit,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { ErrorCode } from '@herald/ws-contracts';
import { RealtimeEventRegistry } from './event-registry';
import { RealtimeIoAdapter } from './gateway/realtime-io.adapter';
import { RealtimeWsExceptionFilter } from './gateway/realtime-ws-exception.filter';
import { RealtimeServiceController } from './http/realtime-service.controller';
import type {
  RealtimeModuleOptions,
  RealtimeOptionsFactory,
  ResolvedRealtimeOptions,
} from './interfaces/realtime-module-options.interface';
import { RealtimeModule } from './realtime.module';
import { DEFAULT_REALTIME_LIMITS, REALTIME_OPTIONS } from './realtime.options';
import { WebSocketService } from './websocket.service';

const SECRET = 'module-spec-secret-that-is-long-enough-0123456789';
const token = (sub: string) =>
  new SignJWT({ email: `${sub}@example.com` })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

@Injectable()
class RefuseAll implements CanActivate {
  canActivate() {
    return false;
  }
}

/** Another gateway on its own namespace, as an application might add one. */
@UseFilters(new RealtimeWsExceptionFilter())
@WebSocketGateway({ namespace: '/extra' })
class ExtraGateway {
  @SubscribeMessage('ping')
  ping() {
    return 'pong';
  }

  @SubscribeMessage('boom')
  boom() {
    throw new Error('stack trace with secrets');
  }

  @SubscribeMessage('missing')
  missing() {
    throw new NotFoundException('No such thing');
  }

  @UseGuards(RefuseAll)
  @SubscribeMessage('guarded')
  guarded() {
    return 'never';
  }
}

/** An application module plugging into the gateway through the registry. */
@Injectable()
class InboxLikeHandlers implements OnModuleInit {
  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {}

  onModuleInit() {
    this.registry.onConnect((user) => this.ws.emitUnreadCount(user.userId, 3));
    this.registry.onConnect((user) => {
      if (user.userId === 'hook-fails') throw new Error('database password is hunter2');
    });
    this.registry.handle('notification:mark_all_read', () => ({ updated: 2, unreadCount: 0 }));
    this.registry.handle('notification:mark_read', () => {
      throw new NotFoundException('Notification not found');
    });
    this.registry.handle('notification:delete', () => {
      throw new Error('connection to 10.0.0.3 refused');
    });
  }
}

async function startApp(installAdapter = true): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RealtimeModule.forRoot({
        jwt: { secret: SECRET },
        corsOrigins: ['http://localhost:5173'],
        apiKey: 'k'.repeat(20),
      }),
    ],
    providers: [ExtraGateway, InboxLikeHandlers, RefuseAll],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  if (installAdapter) app.useWebSocketAdapter(new RealtimeIoAdapter(app));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}` };
}

function connect(url: string, auth: Record<string, unknown> = {}): Socket {
  return io(url, { transports: ['websocket'], auth, reconnection: false, forceNew: true });
}

const once = <T>(socket: Socket, event: string, timeoutMs = 5_000) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event}`)), timeoutMs);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

describe('RealtimeModule in a Nest application', () => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ app, url } = await startApp());
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await app?.close();
  });

  const open = (path: string, auth?: Record<string, unknown>) => {
    const socket = connect(`${url}${path}`, auth);
    sockets.push(socket);
    return socket;
  };

  it('authenticates sockets on every namespace, not only the main one (io.use covers one)', async () => {
    const refused = open('/extra');
    expect(await once<{ data?: { code?: string } }>(refused, 'connect_error')).toMatchObject({
      data: { code: ErrorCode.TokenMissing },
    });
    const accepted = open('/extra', { token: await token('ns-user') });
    await once(accepted, 'connect');
    expect(await accepted.timeout(5_000).emitWithAck('ping', {})).toBe('pong');
  });

  it('maps exceptions of an app gateway through RealtimeWsExceptionFilter, never to a bare internal error', async () => {
    const socket = open('/extra', { token: await token('extra-user') });
    await once(socket, 'connect');
    const ask = (event: string) => socket.timeout(5_000).emitWithAck(event, {});
    expect(await ask('boom')).toEqual({
      ok: false,
      error: { code: ErrorCode.Internal, message: 'Internal error' },
    });
    expect(await ask('missing')).toEqual({
      ok: false,
      error: { code: ErrorCode.NotFound, message: 'No such thing' },
    });
    expect(await ask('guarded')).toMatchObject({ ok: false, error: { code: ErrorCode.Forbidden } });
    const error = once<{ code: string }>(socket, 'error');
    socket.emit('missing', {});
    expect(await error).toMatchObject({ code: ErrorCode.NotFound });
  });

  it('sends authenticated, then what the connect hooks send', async () => {
    const socket = open('/', { token: await token('hooks') });
    const order: string[] = [];
    socket.onAny((event: string) => order.push(event));
    await once(socket, 'notification:unread_count');
    expect(order).toEqual(['authenticated', 'notification:unread_count']);
  });

  it('reports a failing connect hook as a structured error without its details, and keeps the socket', async () => {
    const socket = open('/', { token: await token('hook-fails') });
    const error = await once<{ code: string; message: string }>(socket, 'error');
    expect(error).toEqual({ code: ErrorCode.Internal, message: 'Internal error' });
    expect(socket.connected).toBe(true);
  });

  it('answers registered handlers with { ok: true, ...result }', async () => {
    const socket = open('/', { token: await token('acks') });
    await once(socket, 'authenticated');
    expect(await socket.timeout(5_000).emitWithAck('notification:mark_all_read', {})).toEqual({
      ok: true,
      updated: 2,
      unreadCount: 0,
    });
  });

  it('maps an HttpException thrown by a handler to its code (global filters never reach gateways)', async () => {
    const socket = open('/', { token: await token('acks') });
    await once(socket, 'authenticated');
    const ack = await socket.timeout(5_000).emitWithAck('notification:mark_read', {
      notificationId: '3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c',
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.NotFound, message: 'Notification not found' },
    });
  });

  it('maps an unexpected exception to INTERNAL_ERROR without leaking its message', async () => {
    const socket = open('/', { token: await token('acks') });
    await once(socket, 'authenticated');
    const ack = await socket.timeout(5_000).emitWithAck('notification:delete', {
      notificationId: '3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c',
    });
    expect(ack).toEqual({
      ok: false,
      error: { code: ErrorCode.Internal, message: 'Internal error' },
    });
  });

  it('validates before calling a handler', async () => {
    const socket = open('/', { token: await token('acks') });
    await once(socket, 'authenticated');
    const ack = await socket
      .timeout(5_000)
      .emitWithAck('notification:mark_read', { notificationId: 'nope' });
    expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidPayload } });
  });

  it('delivers typed events through WebSocketService to the user room', async () => {
    const socket = open('/', { token: await token('typed') });
    await once(socket, 'authenticated');
    const ws = app.get(WebSocketService);
    expect(await ws.getUserSocketCount('typed')).toBe(1);
    const received = once(socket, 'rank:updated');
    ws.emitRankUpdated('typed', { newRank: 'Expert', oldRank: 'Novice' });
    expect(await received).toEqual({ newRank: 'Expert', oldRank: 'Novice' });
  });

  it('puts a user in a room server-side and emits to it', async () => {
    const socket = open('/', { token: await token('roomed') });
    await once(socket, 'authenticated');
    const ws = app.get(WebSocketService);
    await ws.joinUserToRoom('roomed', 'group:g1');
    const received = once(socket, 'xp:gained');
    ws.emitToRoom('group:g1', 'xp:gained', { amount: 1, source: 'room', totalXp: 1 });
    expect(await received).toMatchObject({ source: 'room' });
  });
});

describe('RealtimeModule lifecycle traps', () => {
  it('refuses to start without RealtimeIoAdapter instead of running without handshake authentication', async () => {
    await expect(startApp(false)).rejects.toThrow(/RealtimeIoAdapter is not installed/);
  });

  it('app.close() disconnects every socket and releases the port', async () => {
    const { app, url } = await startApp();
    const clients = await Promise.all(
      ['a', 'b'].map(async (id) => {
        const socket = connect(url, { token: await token(`close-${id}`) });
        await once(socket, 'authenticated');
        return socket;
      }),
    );
    const reasons = Promise.all(clients.map((s) => once<string>(s, 'disconnect')));
    await app.close();
    expect(await reasons).toEqual([expect.any(String), expect.any(String)]);
    expect(app.getHttpServer().listening).toBe(false);
    expect(app.get(WebSocketService).localConnections).toBe(0);
    clients.forEach((s) => s.close());
  });
});

const SETTINGS = Symbol('SETTINGS');

@Module({
  providers: [{ provide: SETTINGS, useValue: { secret: SECRET, path: '/live/' } }],
  exports: [SETTINGS],
})
class SettingsModule {}

@Injectable()
class RealtimeSettings implements RealtimeOptionsFactory {
  createRealtimeOptions(): RealtimeModuleOptions {
    return { jwt: { secret: SECRET }, transports: ['websocket'], limits: { eventBurst: 5 } };
  }
}

/** Compiles (without starting) a module around `realtime` and returns what it injects. */
async function compile(realtime: DynamicModule) {
  const moduleRef = await Test.createTestingModule({ imports: [realtime] }).compile();
  return {
    options: moduleRef.get<ResolvedRealtimeOptions>(REALTIME_OPTIONS),
    hasServiceEndpoints: () => {
      try {
        moduleRef.get(RealtimeServiceController, { strict: false });
        return true;
      } catch {
        return false;
      }
    },
    close: () => moduleRef.close(),
  };
}

describe('RealtimeModule configuration', () => {
  it('forRoot: injects the options with every default applied under REALTIME_OPTIONS', async () => {
    const realtime = await compile(RealtimeModule.forRoot({ jwt: { secret: SECRET } }));
    expect(realtime.options).toEqual({
      path: '/socket.io/',
      corsOrigins: [],
      transports: ['websocket', 'polling'],
      jwt: { secret: SECRET },
      limits: DEFAULT_REALTIME_LIMITS,
      redis: undefined,
      apiKey: undefined,
      revocationTtlSeconds: 86_400,
    });
    expect(realtime.hasServiceEndpoints()).toBe(true);
    await realtime.close();
  });

  it('forRootAsync: useFactory receives what inject names, from the imported module', async () => {
    const realtime = await compile(
      RealtimeModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: (settings: { secret: string; path: string }) => ({
          jwt: { secret: settings.secret },
          path: settings.path,
          limits: { maxMessageBytes: 1_000 },
        }),
      }),
    );
    expect(realtime.options).toMatchObject({
      path: '/live/',
      jwt: { secret: SECRET },
      limits: { ...DEFAULT_REALTIME_LIMITS, maxMessageBytes: 1_000 },
    });
    await realtime.close();
  });

  it('forRootAsync: useClass builds the options with a RealtimeOptionsFactory', async () => {
    const realtime = await compile(RealtimeModule.forRootAsync({ useClass: RealtimeSettings }));
    expect(realtime.options).toMatchObject({
      transports: ['websocket'],
      limits: { ...DEFAULT_REALTIME_LIMITS, eventBurst: 5 },
    });
    await realtime.close();
  });

  it('serviceEndpoints: false leaves the service HTTP endpoints unmounted, sync or async', async () => {
    for (const definition of [
      RealtimeModule.forRoot({ jwt: { secret: SECRET }, serviceEndpoints: false }),
      RealtimeModule.forRootAsync({
        useFactory: () => ({ jwt: { secret: SECRET } }),
        serviceEndpoints: false,
      }),
    ]) {
      const realtime = await compile(definition);
      expect(realtime.hasServiceEndpoints()).toBe(false);
      await realtime.close();
    }
  });

  it('refuses a limit that is not a positive number at start-up, naming it', async () => {
    await expect(
      compile(RealtimeModule.forRoot({ jwt: { secret: SECRET }, limits: { eventsPerSecond: 0 } })),
    ).rejects.toThrow('limits.eventsPerSecond must be a positive number (got 0)');
  });
});
