import { createServer, connect, type Server, type Socket } from 'node:net';
import { inject } from 'vitest';
import {
  createScratchDatabase,
  startApi,
  waitFor,
  type ApiProcess,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';

/**
 * A TCP relay to the machine's PostgreSQL that counts the queries the API sends through
 * it (PostgreSQL protocol frontend messages `Q`, simple query, and `E`, execute), and can
 * cut every connection and refuse new ones, as a database outage would.
 */
class CountingPostgresRelay {
  queries = 0;
  port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(target: URL) {
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      this.sockets.add(client).add(upstream);
      const count = frontendMessageCounter(() => this.queries++);
      client.on('data', (chunk: Buffer) => {
        count(chunk);
        upstream.write(chunk);
      });
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
  }

  static async start(target: URL): Promise<CountingPostgresRelay> {
    const relay = new CountingPostgresRelay(target);
    await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));
    relay.port = (relay.server.address() as { port: number }).port;
    return relay;
  }

  /** Every connection cut, new ones refused. */
  async cut(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise((r) => this.server.close(r));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** Parses the frontend byte stream: startup packet first (no type byte), then typed messages. */
function frontendMessageCounter(onQuery: () => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        // An SSLRequest (80877103) is followed by another startup packet.
        started = buffer.readInt32BE(4) !== 80877103;
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      const type = String.fromCharCode(buffer[0]!);
      if (type === 'Q' || type === 'E') onQuery();
      buffer = buffer.subarray(1 + length);
    }
  };
}

/**
 * `/api/health` is exempt from the rate limit and polled by every load balancer: it must
 * not cost a database query per call, and it must not tell the world the database's
 * address or the driver's error.
 */
describe('/api/health as a public probe', () => {
  const runId = inject('runId');
  let database: ScratchDatabase;
  let relay: CountingPostgresRelay;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createScratchDatabase(runId);
    relay = await CountingPostgresRelay.start(new URL(database.url));
    const url = new URL(database.url);
    url.port = String(relay.port);
    api = await startApi({ env: { DATABASE_URL: url.toString() } });
  });
  afterAll(async () => {
    await api?.stop();
    await relay?.cut();
    await database?.drop();
  });

  it('answers a burst of probes from a cached readiness result, not one query each', async () => {
    expect((await fetch(`${api.url}/api/health`)).status).toBe(200);
    const before = relay.queries;
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${api.url}/api/health${i % 2 ? '/ready' : ''}`);
      expect(res.status).toBe(200);
    }
    const seconds = Math.ceil((Date.now() - started) / 1_000);
    // At most one readiness query per second of the burst (plus one at its edge).
    expect(relay.queries - before).toBeLessThanOrEqual(seconds + 1);
  });

  it('says the database is down without the driver message, host or port', async () => {
    await relay.cut();
    let body: { status: string; checks: Record<string, { status: string; detail?: string }> };
    await waitFor(
      async () => {
        const res = await fetch(`${api.url}/api/health`);
        body = (await res.json()) as typeof body;
        return res.status === 503;
      },
      10_000,
      'health reports the outage',
    );
    expect(body!.checks['database']!.status).toBe('down');
    const text = JSON.stringify(body!);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(String(relay.port));
    expect(text).not.toMatch(/ECONNREFUSED|ECONNRESET|Failed query|terminated|select/i);
  });
});
