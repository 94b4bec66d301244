import { type ApiProcess, mintToken, startApi } from '../../../../tools/testing/index.mjs';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { ErrorCode } from '@herald/ws-contracts';
import type { TestSocket } from '../support/clients';

const ENGINE_PATH = '/socket.io/?EIO=4';

/**
 * Engine.IO sessions below Socket.IO: a client that opens sessions and never sends CONNECT
 * never reaches the handshake middleware. The API runs on loopback, so each test names its
 * client address in X-Forwarded-For (read from a loopback peer only) and gets its own limits.
 */
describe('Engine.IO sessions per client address', () => {
  let api: ApiProcess;
  const sessions: string[] = [];
  const cleanup: (() => void)[] = [];

  beforeAll(async () => {
    api = await startApi({
      env: {
        WS_MAX_SOCKETS_PER_IP: '3',
        HANDSHAKE_RATE_LIMIT_BURST: '5',
        HANDSHAKE_RATE_LIMIT_PER_SECOND: '1',
      },
    });
  });
  afterEach(async () => {
    cleanup.splice(0).forEach((close) => close());
    await Promise.all(sessions.splice(0).map((sid) => closePolling(sid)));
  });
  afterAll(async () => {
    await api?.stop();
  });

  /** Opens a polling session without CONNECT; resolves with the status and the session id. */
  async function openPolling(address: string): Promise<{ status: number; sid?: string }> {
    const res = await fetch(`${api.url}${ENGINE_PATH}&transport=polling`, {
      headers: { 'x-forwarded-for': address },
    });
    const text = await res.text();
    const sid = /"sid":"([^"]+)"/.exec(text)?.[1];
    if (sid) sessions.push(sid);
    return { status: res.status, sid };
  }

  /** Sends Engine.IO's close packet on a polling session. */
  async function closePolling(sid: string): Promise<void> {
    await fetch(`${api.url}${ENGINE_PATH}&transport=polling&sid=${sid}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: '1',
    }).catch(() => undefined);
  }

  /** A raw websocket session from `address`: the upgrade's status and every frame. */
  function openWebSocket(address: string) {
    const ws = new WebSocket(
      `${api.url.replace(/^http/, 'ws')}${ENGINE_PATH}&transport=websocket`,
      {
        headers: { 'x-forwarded-for': address },
      },
    );
    cleanup.push(() => ws.terminate());
    const frames: string[] = [];
    ws.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
    ws.on('error', () => undefined);
    const status = new Promise<number>((resolve) => {
      ws.once('upgrade', (res) => resolve(res.statusCode ?? 0));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    return { ws, frames, status, closed };
  }

  it('refuses a new session past WS_MAX_SOCKETS_PER_IP with 429, on polling and websocket alike, and frees the place when one closes', async () => {
    const address = '198.51.100.10';
    const open = [
      await openPolling(address),
      await openPolling(address),
      await openPolling(address),
    ];
    expect(open.map((o) => o.status)).toEqual([200, 200, 200]);

    const refused = await fetch(`${api.url}${ENGINE_PATH}&transport=polling`, {
      headers: { 'x-forwarded-for': address },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: ErrorCode.RateLimited });
    expect(await openWebSocket(address).status).toBe(429);
    // Another address is not affected.
    expect((await openPolling('198.51.100.11')).status).toBe(200);

    await closePolling(open[0].sid as string);
    await expect.poll(async () => (await openPolling(address)).status).toBe(200);
  });

  it('counts an IPv6 client by its /64: four addresses of one /64 share the cap of three', async () => {
    const statuses = [];
    for (const address of [
      '2001:db8:7:7::1',
      '2001:db8:7:7::2',
      '2001:db8:7:7:1::3',
      '2001:db8:7:7:ffff:ffff:ffff:4',
    ])
      statuses.push((await openPolling(address)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await openPolling('2001:db8:7:8::1')).status).toBe(200);
  });

  it('charges every Engine.IO session to the per-IP handshake limit: sessions that never CONNECT get RATE_LIMITED and are closed', async () => {
    const address = '198.51.100.20';
    // Burst 5, refill 1/s: of 10 sessions opened and closed one after the other, a few pass.
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const session = openWebSocket(address);
      expect(await session.status).toBe(101);
      const verdict = await Promise.race([
        session.closed.then(() => 'closed'),
        new Promise((resolve) => setTimeout(resolve, 300)).then(() => 'open'),
      ]);
      const refusal = session.frames.find((f) => f.startsWith('44'));
      outcomes.push(refusal ? `${verdict}:${JSON.parse(refusal.slice(2)).data?.code}` : verdict);
      session.ws.terminate();
    }
    expect(outcomes.filter((o) => o === 'open').length).toBeGreaterThanOrEqual(5);
    expect(outcomes).toContain(`closed:${ErrorCode.RateLimited}`);
    expect(outcomes.every((o) => o === 'open' || o === `closed:${ErrorCode.RateLimited}`)).toBe(
      true,
    );
  });

  it('charges an honest client once: its session pays, its first CONNECT rides on it', async () => {
    const address = '198.51.100.30';
    const token = await mintToken('engine-honest-user');
    const clients: TestSocket[] = [];
    cleanup.push(() => clients.forEach((c) => c.close()));
    const results = await Promise.all(
      Array.from({ length: 3 }, () => {
        const client: TestSocket = io(api.url, {
          transports: ['websocket'],
          auth: { token },
          extraHeaders: { 'x-forwarded-for': address },
          reconnection: false,
          forceNew: true,
        });
        clients.push(client);
        return new Promise<string>((resolve) => {
          client.once('authenticated', () => resolve('accepted'));
          client.once('connect_error', (e) =>
            resolve(`refused:${(e as { data?: { code?: string } }).data?.code}`),
          );
        });
      }),
    );
    // Three clients, burst five: with a double charge the third would be refused.
    expect(results).toEqual(['accepted', 'accepted', 'accepted']);
  });
});
