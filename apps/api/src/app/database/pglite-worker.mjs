// The embedded database's own thread. PGlite runs PostgreSQL compiled to WebAssembly
// synchronously on the thread that calls it; here that thread is this worker, so the API's
// main thread (sockets, HTTP) never waits for a query to execute. The main side is
// pglite-thread.ts; messages are { id, op, ... } in and { id, ok, result | error } out.
import { parentPort, workerData } from 'node:worker_threads';
import { parse, PGlite, protocol, types } from '@electric-sql/pglite';
import { PreparedStatements } from './pglite-prepared-statements.mjs';

/**
 * Timestamps, dates and intervals stay the strings PostgreSQL writes, as Drizzle's PGlite
 * driver asks (it passes these parsers as functions, which cannot cross threads).
 */
const KEEP_TEXT = (value) => value;
const DRIZZLE_PARSERS = Object.fromEntries(
  [
    types.TIMESTAMP,
    types.TIMESTAMPTZ,
    types.INTERVAL,
    types.DATE,
    1231,
    1115,
    1185,
    1187,
    1182,
  ].map((oid) => [oid, KEEP_TEXT]),
);

const port = parentPort;
let db;
/** Statements with parameters, parsed and planned once (see pglite-prepared-statements.mjs). */
let statements;
/** Open transactions by id: the PGlite transaction handle and how to end it. */
const transactions = new Map();
let nextTransactionId = 1;

function reply(id, result) {
  port.postMessage({ id, ok: true, result });
}

function fail(id, error) {
  // Every own field (code, detail, constraint…) travels: callers classify errors by them.
  const fields = {};
  if (error && typeof error === 'object') {
    for (const key of Object.keys(error)) {
      const value = error[key];
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
        fields[key] = value;
    }
  }
  port.postMessage({
    id,
    ok: false,
    error: {
      ...fields,
      name: error?.name ?? 'Error',
      message: error?.message ?? String(error),
    },
  });
}

function queryOptions(message) {
  return {
    rowMode: message.rowMode ?? 'object',
    ...(message.drizzleParsers ? { parsers: DRIZZLE_PARSERS } : {}),
  };
}

/** The connection a message runs on: its transaction's, or the database itself. */
function target(message) {
  if (message.transactionId === undefined) return db;
  const open = transactions.get(message.transactionId);
  if (!open) throw new Error(`No open transaction ${message.transactionId}`);
  return open.tx;
}

/** The result without what cannot or need not cross threads. */
function plain(result) {
  return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows };
}

async function handle(message) {
  switch (message.op) {
    case 'open':
      db = await PGlite.create(workerData?.dataDir);
      statements = PreparedStatements.supports(db)
        ? new PreparedStatements(db, protocol.serialize, parse)
        : undefined;
      return true;
    case 'query': {
      const connection = target(message);
      if (statements && message.params?.length) {
        const inTransaction = message.transactionId !== undefined;
        return plain(
          await statements.query(message.sql, message.params, queryOptions(message), inTransaction),
        );
      }
      return plain(await connection.query(message.sql, message.params, queryOptions(message)));
    }
    case 'exec':
      return (await target(message).exec(message.sql)).map(plain);
    case 'begin':
      return begin();
    case 'end':
      return end(message.transactionId, message.commit);
    case 'close':
      await db?.close();
      return true;
    default:
      throw new Error(`Unknown operation ${message.op}`);
  }
}

/**
 * Opens a transaction and answers its id while PGlite holds it open; it ends (commit or
 * rollback) when the main side sends `end`. PGlite runs one transaction at a time and
 * queues other queries behind it, exactly as it does on one thread.
 */
function begin() {
  const transactionId = nextTransactionId++;
  let settle;
  const outcome = new Promise((resolve, reject) => (settle = { resolve, reject }));
  // Ended before PGlite ever ran the callback (it failed to begin): nobody awaits it.
  outcome.catch(() => undefined);
  const open = { settle, tx: undefined, done: undefined };
  transactions.set(transactionId, open);
  return new Promise((opened, failedToOpen) => {
    open.done = db.transaction(async (tx) => {
      open.tx = tx;
      opened(transactionId);
      // Rejecting makes PGlite roll back; resolving commits.
      await outcome;
    });
    open.done.then(
      () => transactions.delete(transactionId),
      (error) => {
        transactions.delete(transactionId);
        failedToOpen(error);
      },
    );
  });
}

async function end(transactionId, commit) {
  const open = transactions.get(transactionId);
  if (!open) throw new Error(`No open transaction ${transactionId}`);
  if (commit) open.settle.resolve();
  else open.settle.reject(new Error('rolled back'));
  try {
    await open.done;
  } catch (error) {
    if (commit) throw error;
  }
  return true;
}

port.on('message', (message) => {
  handle(message).then(
    (result) => reply(message.id, result),
    (error) => fail(message.id, error),
  );
});
