import { Pool, type PoolClient, type QueryResult } from 'pg';

/**
 * node-postgres' Pool whose `query` (what Drizzle calls for every statement outside a
 * transaction) watches the checked-out client's `error` event with `on`, removed when the
 * statement ends, instead of `once`.
 *
 * Why: V8 pretenures what `EventEmitter.once` allocates, so the wrapper it puts on a pooled
 * client for every statement is born in the old generation. That wrapper holds the
 * statement's callback and, through it, every request awaiting the statement, so each of
 * them outlived the young generation and was promoted: at 500 stored publishes/s every
 * scavenge of the API's heap kept ~800 KB alive and paused 3–7 ms. The listener below is
 * young and dies with the statement.
 *
 * Everything else (checkout, release, what a client error does to the pool) is Pool's own;
 * a call with a callback keeps Pool's own `query`.
 */
export class StatementPool extends Pool {}

// Assigned, not declared: calls keep the typing of Pool's overloaded `query`.
StatementPool.prototype.query = function query(this: Pool, ...args: unknown[]) {
  const [text, values, callback] = args;
  const ownQuery = Pool.prototype.query as (...a: unknown[]) => unknown;
  if ([text, values, callback].some((arg) => typeof arg === 'function'))
    return ownQuery.apply(this, args);
  return runStatement(this, text, values);
} as Pool['query'];

function runStatement(pool: Pool, text: unknown, values: unknown): Promise<QueryResult> {
  return new Promise((resolve, reject) => {
    pool.connect((connectError: Error | undefined, client: PoolClient | undefined) => {
      if (connectError || !client) return reject(connectError);
      let released = false;
      const release = (error?: Error) => {
        client.removeListener('error', onError);
        if (released) return false;
        released = true;
        client.release(error);
        return true;
      };
      // The connection broke while the statement ran: Pool's own query answers it this way.
      const onError = (error: Error) => {
        if (release(error)) reject(error);
      };
      client.on('error', onError);
      try {
        (client.query as (...a: unknown[]) => void)(
          text,
          values,
          (error: Error | null, result: QueryResult) => {
            if (!release(error ?? undefined)) return;
            if (error) reject(error);
            else resolve(result);
          },
        );
      } catch (error) {
        release(error as Error);
        reject(error);
      }
    });
  });
}
