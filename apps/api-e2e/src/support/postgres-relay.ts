import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the API and the machine's PostgreSQL, so a test can make the real
 * server "go away" (cut every connection, refuse new ones) and come back on the same port
 * without touching anyone else's connections. It also counts the queries the API sends
 * (PostgreSQL frontend messages `Q`, simple query, and `E`, execute).
 */
export class PostgresRelay {
  queries = 0;
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly target: URL) {}

  /** Listens on a free port and relays to the database of `databaseUrl`. */
  static async start(databaseUrl: string): Promise<PostgresRelay> {
    const relay = new PostgresRelay(new URL(databaseUrl));
    await relay.open();
    return relay;
  }

  /** `databaseUrl` pointed at this relay instead of the server. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** (Re)opens the relay, on the port it had before once it has one. */
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
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
      for (const socket of [client, upstream]) {
        socket.on('close', () => this.sockets.delete(socket));
      }
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
  }

  /** Refuses new connections and drops the open ones: the database is "down". */
  async cut(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
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
      const type = String.fromCharCode(buffer[0] as number);
      if (type === 'Q' || type === 'E') onQuery();
      buffer = buffer.subarray(1 + length);
    }
  };
}
