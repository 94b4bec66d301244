import WebSocket from 'ws';

export type Frame = string | Buffer;

/**
 * An Engine.IO v4 / Socket.IO v5 client speaking the wire protocol by hand over a raw
 * websocket, so tests can send what no well-behaved client library would: garbage frames,
 * unknown packet types, forged binary attachments, deeply nested JSON, oversized frames.
 */
export class RawSocket {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? data : data.toString('utf8');
      // Engine.IO heartbeat: answer the server's ping so the session stays open.
      if (frame === '2') ws.send('3');
      this.frames.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    ws.on('error', () => undefined);
  }

  /** Opens the Engine.IO session (the server's `0{...}` open packet has arrived). */
  static async open(baseUrl: string): Promise<RawSocket> {
    const ws = new WebSocket(
      `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
    );
    const socket = new RawSocket(ws);
    await socket.waitFor((f) => typeof f === 'string' && f.startsWith('0{'));
    return socket;
  }

  /** Opens a session and connects to the main namespace with `token`; resolves after `authenticated`. */
  static async authenticated(baseUrl: string, token: string): Promise<RawSocket> {
    const socket = await RawSocket.open(baseUrl);
    socket.send(`40${JSON.stringify({ token })}`);
    await socket.waitFor((f) => typeof f === 'string' && f.startsWith('42["authenticated"'));
    return socket;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: string | Buffer): void {
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  /** Resolves with the first frame (already received or future) matching `predicate`. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find(predicate);
      if (hit !== undefined) return hit;
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`closed before a matching frame; got ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The acknowledgement `43<id>[...]` for ack id `id`, parsed. */
  async ack(id: number, timeoutMs = 5_000): Promise<unknown[]> {
    const frame = (await this.waitFor(
      (f) => typeof f === 'string' && f.startsWith(`43${id}[`),
      timeoutMs,
    )) as string;
    return JSON.parse(frame.slice(`43${id}`.length)) as unknown[];
  }

  /** Resolves when the server closed the connection, or fails after `timeoutMs`. */
  async expectClosed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still open after ${timeoutMs} ms; got ${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.ws.terminate();
  }

  private describe(): string {
    return this.frames
      .map((f) => (typeof f === 'string' ? f.slice(0, 120) : `<binary ${f.length} B>`))
      .join(' | ');
  }
}
