import type { PGlite } from '@electric-sql/pglite';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** What a query answers (the subset of PGlite's `Results` that Drizzle reads). */
interface QueryResult {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Message =
  | { op: 'open' | 'begin' | 'close' }
  | {
      op: 'query';
      sql: string;
      params?: unknown[];
      rowMode?: 'array' | 'object';
      drizzleParsers: boolean;
      transactionId?: number;
    }
  | { op: 'exec'; sql: string; transactionId?: number }
  | { op: 'end'; transactionId: number; commit: boolean };

/**
 * Where the worker script is at runtime: next to the bundle (the build copies it), or
 * beside this file when running from sources (unit tests).
 */
function workerScript(): string {
  const candidates = [
    join(__dirname, 'pglite-worker.mjs'),
    resolve(__dirname, '../../../src/app/database/pglite-worker.mjs'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`pglite-worker.mjs not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * The embedded database on a thread of its own. PGlite executes SQL synchronously on the
 * thread that calls it, so on the main thread every statement is time no socket and no
 * HTTP request is served; here the main thread only posts messages and awaits answers.
 * It offers what Drizzle's PGlite driver calls (`query`, `exec`, `transaction`), with the
 * same semantics: one statement at a time, one transaction at a time, other statements
 * queued behind an open transaction.
 */
export class PGliteThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private worker!: Worker;
  /** Resolves once the current worker has the database open. */
  private ready!: Promise<void>;
  private closing = false;
  private closed: Error | undefined;

  private constructor(private readonly dataDir: string | undefined) {}

  /** Starts the thread and opens the database: `dataDir`, or in memory when undefined. */
  static async create(dataDir?: string): Promise<PGliteThread> {
    const thread = new PGliteThread(dataDir);
    thread.start();
    try {
      await thread.ready;
    } catch (error) {
      await thread.worker.terminate();
      throw error;
    }
    return thread;
  }

  query(
    sql: string,
    params?: unknown[],
    options?: { rowMode?: 'array' | 'object'; parsers?: object },
    transactionId?: number,
  ): Promise<QueryResult> {
    return this.call({
      op: 'query',
      sql,
      params,
      rowMode: options?.rowMode,
      // Drizzle's parsers are functions (they keep timestamps as text); the thread applies
      // the same ones itself.
      drizzleParsers: options?.parsers !== undefined,
      transactionId,
    }) as Promise<QueryResult>;
  }

  exec(sql: string, transactionId?: number): Promise<QueryResult[]> {
    return this.call({ op: 'exec', sql, transactionId }) as Promise<QueryResult[]>;
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: PGliteThreadTransaction) => Promise<T>): Promise<T> {
    const transactionId = (await this.call({ op: 'begin' })) as number;
    let result: T;
    try {
      result = await work(new PGliteThreadTransaction(this, transactionId));
    } catch (error) {
      await this.call({ op: 'end', transactionId, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.call({ op: 'end', transactionId, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      await this.send({ op: 'close' });
    } finally {
      // The message PGlite itself gives after close, which callers read as "unavailable".
      this.closed = new Error('PGlite is closed');
      await this.worker.terminate();
    }
  }

  /** As Drizzle's driver wants it: the PGlite interface it calls. */
  asPGlite(): PGlite {
    return this as unknown as PGlite;
  }

  /**
   * A worker and its database. Should the thread die (out of memory, a crash in the
   * WebAssembly), what was in flight fails as "unavailable" and a new thread reopens the
   * database from its directory, so the API recovers by itself.
   */
  private start(): void {
    const worker = new Worker(workerScript(), { workerData: { dataDir: this.dataDir } });
    this.worker = worker;
    worker.on(
      'message',
      (message: { id: number; ok: boolean; result?: unknown; error?: object }) => {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        if (message.ok) waiting.resolve(message.result);
        else waiting.reject(Object.assign(new Error(), message.error));
      },
    );
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      const stopped = new Error(
        `The database thread stopped (exit code ${code}${failure ? `: ${failure.message}` : ''})`,
      );
      for (const waiting of this.pending.values()) waiting.reject(stopped);
      this.pending.clear();
      if (!this.closing && this.worker === worker) this.start();
    });
    this.ready = this.send({ op: 'open' }).then(() => undefined);
    // Awaited by every call; a failed open is reported there, never as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private async call(message: Message): Promise<unknown> {
    if (this.closed) throw this.closed;
    await this.ready;
    return this.send(message);
  }

  private send(message: Message): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}

/** The connection of one open transaction, as Drizzle's driver uses it. */
export class PGliteThreadTransaction {
  constructor(
    private readonly thread: PGliteThread,
    private readonly transactionId: number,
  ) {}

  query(
    sql: string,
    params?: unknown[],
    options?: { rowMode?: 'array' | 'object'; parsers?: object },
  ): Promise<QueryResult> {
    return this.thread.query(sql, params, options, this.transactionId);
  }

  exec(sql: string): Promise<QueryResult[]> {
    return this.thread.exec(sql, this.transactionId);
  }
}
