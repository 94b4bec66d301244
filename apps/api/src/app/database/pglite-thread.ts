import type { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
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
 * When a dead thread is replaced. The first death is followed by a new thread at once; a
 * thread that dies again before it was up for `stableAfterMs` (it cannot open the database,
 * or something it is sent kills it every time) waits `firstDelayMs`, then twice as long
 * each time up to `maxDelayMs`, so a crash loop neither burns a core nor floods the log.
 */
export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  stableAfterMs: number;
}

const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 250,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

/** The wait before the next thread, after `deaths` deaths in a row (the first: none). */
export function restartDelayMs(policy: RestartPolicy, deaths: number): number {
  if (deaths <= 1) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (deaths - 2));
}

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
  private static readonly logger = new Logger('PGliteThread');
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private worker!: Worker;
  /** Resolves once the current worker has the database open. */
  private ready!: Promise<void>;
  private closing = false;
  private closed: Error | undefined;
  /** Threads that died in a row, each before it was up for `stableAfterMs`. */
  private deaths = 0;
  /** The timer that starts the next thread, while a dead one is not yet replaced. */
  private restartTimer: NodeJS.Timeout | undefined;
  /** While a thread is stopped on purpose, to be replaced (see `renew`): not a death. */
  private renewing = false;
  private started = 0;

  private constructor(
    private readonly dataDir: string | undefined,
    private readonly restartPolicy: RestartPolicy,
  ) {}

  /**
   * Starts the thread and opens the database: `dataDir`, or in memory when undefined.
   * `restartPolicy` (tests): when a thread that died is replaced.
   */
  static async create(
    dataDir?: string,
    restartPolicy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ): Promise<PGliteThread> {
    const thread = new PGliteThread(dataDir, restartPolicy);
    const creating = dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'));
    thread.start(true);
    try {
      await thread.ready;
      if (creating) await thread.renew();
    } catch (error) {
      // Closing: the thread's exit must not start another one.
      thread.closing = true;
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
    const replacing = this.restartTimer !== undefined;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    try {
      // A dead thread, not replaced yet, has no database to close.
      if (!replacing) await this.send({ op: 'close' });
    } finally {
      // The message PGlite itself gives after close, which callers read as "unavailable".
      this.closed = new Error('PGlite is closed');
      await this.worker.terminate();
    }
  }

  /** Threads started so far: 1, plus one per restart and per `renew` (for tests and logs). */
  get threadsStarted(): number {
    return this.started;
  }

  /** As Drizzle's driver wants it: the PGlite interface it calls. */
  asPGlite(): PGlite {
    return this as unknown as PGlite;
  }

  /**
   * A worker and its database. Should the thread die (out of memory, a crash in the
   * WebAssembly), what was in flight fails as "unavailable" and a new thread reopens the
   * database from its directory (see RestartPolicy), so the API recovers by itself. A new
   * thread that cannot open the database counts as one more death: it is stopped, and the
   * next tries later (the first thread's failure is `create`'s, which fails start-up).
   */
  private start(first = false): void {
    const worker = new Worker(workerScript(), { workerData: { dataDir: this.dataDir } });
    const startedAt = performance.now();
    this.worker = worker;
    this.started += 1;
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
      if (this.closing || this.renewing || this.worker !== worker) return;
      const stable = performance.now() - startedAt >= this.restartPolicy.stableAfterMs;
      this.deaths = stable ? 1 : this.deaths + 1;
      this.replace(stopped, restartDelayMs(this.restartPolicy, this.deaths));
    });
    const opened = this.send({ op: 'open' }).then(() => undefined);
    this.ready = first
      ? opened
      : opened.catch((error: unknown) => {
          // Said the way callers read as "unavailable" (503), as a dead thread's calls are.
          failure = new Error(
            `could not reopen the database: ${error instanceof Error ? error.message : String(error)}`,
          );
          if (!this.closing && this.worker === worker) void worker.terminate();
          throw new Error(`The database thread stopped (${failure.message})`);
        });
    // Awaited by every call; a failed open is reported there, never as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /**
   * Closes the database and opens it again on a new thread. Creating a database (initdb)
   * grows PGlite's WebAssembly memory to several times what serving it needs, and that
   * memory is never given back while its thread lives: measured here, a process that
   * created its data directory held 774 MB, one that reopened it 412 MB. Only a new thread
   * starts small, so the thread that created the directory hands over to one that opens it.
   */
  private async renew(): Promise<void> {
    // From the close on, the thread is stopped on purpose: should it die while closing, its
    // exit is not a death to replace (the failed close then fails `create`).
    this.renewing = true;
    try {
      await this.send({ op: 'close' });
    } finally {
      await this.worker.terminate();
      this.renewing = false;
    }
    this.start(true);
    await this.ready;
  }

  /**
   * Starts the next thread after `delayMs`. Until then every call fails at once with the
   * reason (callers answer "unavailable, retry later") instead of queueing behind the wait.
   */
  private replace(stopped: Error, delayMs: number): void {
    PGliteThread.logger.error({
      msg: 'The database thread stopped; starting a new one',
      err: stopped.message,
      deathsInARow: this.deaths,
      restartInMs: delayMs,
    });
    if (delayMs === 0) {
      this.start();
      return;
    }
    this.ready = Promise.reject(stopped);
    this.ready.catch(() => undefined);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start();
    }, delayMs);
    this.restartTimer.unref();
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
