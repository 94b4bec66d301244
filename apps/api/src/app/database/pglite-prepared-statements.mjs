// Statements with parameters, parsed and planned once per database, then only bound and
// executed. PGlite's `query` makes six calls into PostgreSQL per statement (parse, describe,
// bind, describe, execute, sync) and parses and plans it every time: the inbox's INSERT of
// one batch costs ~2.3 ms of the database thread that way against ~0.5 ms bound to a named
// statement, and a trivial SELECT ~270 µs against ~35 µs (tools/bench/micro). The API sends
// few distinct statements (Drizzle builds the same text for the same query), so they are
// kept by text, the least recently used closed beyond MAX_STATEMENTS.

/** More distinct statements than the API sends; a bound on memory should text ever vary. */
export const MAX_STATEMENTS = 200;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export class PreparedStatements {
  /**
   * Whether `db` has the two locks its own `query` takes (internal to PGlite, so checked):
   * without them every statement takes PGlite's normal path.
   */
  static supports(db) {
    return (
      typeof db._runExclusiveQuery === 'function' &&
      typeof db._runExclusiveTransaction === 'function' &&
      typeof db.execProtocol === 'function'
    );
  }

  #db;
  #serialize;
  #parse;
  /** Statement by SQL text, least recently used first: `{ name, paramTypes }`. */
  #byText = new Map();
  #nextName = 1;
  /**
   * PGlite's parsers merged with a caller's (by the caller's object): `parseResults` would
   * copy all of PGlite's parsers into a new object for every statement.
   */
  #merged = new WeakMap();

  /** `serialize` and `parse` are PGlite's `protocol.serialize` and `parse`. */
  constructor(db, serialize, parse) {
    this.#db = db;
    this.#serialize = serialize;
    this.#parse = parse;
  }

  get size() {
    return this.#byText.size;
  }

  /**
   * Runs one statement and answers what `db.query(sql, params, options)` answers. With the
   * same locks: inside the open transaction when `inTransaction`, otherwise queued behind
   * it; never interleaved with another statement.
   */
  query(sql, params, options, inTransaction) {
    const run = () =>
      this.#db._runExclusiveQuery(() => this.#run(sql, params, options, inTransaction));
    return inTransaction ? run() : this.#db._runExclusiveTransaction(run);
  }

  async #run(sql, params, options, inTransaction) {
    const { name, paramTypes } = await this.#statement(sql);
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const serializer = this.#db.serializers[paramTypes[i]];
      return serializer ? serializer(param) : param.toString();
    });
    const { bind, describe, execute, sync } = this.#serialize;
    const { messages } = await this.#db.execProtocol(
      concat([bind({ statement: name, values }), describe({ type: 'P' }), execute({}), sync()]),
      { syncToFs: false },
    );
    // As PGlite's `query`: outside a transaction the filesystem gets the change now.
    if (!inTransaction) await this.#db.syncToFs();
    const { parsers, ...rest } = options ?? {};
    return this.#parse.parseResults(messages, this.#parsersWith(parsers), rest)[0];
  }

  #parsersWith(parsers) {
    if (!parsers) return this.#db.parsers;
    let merged = this.#merged.get(parsers);
    if (!merged) {
      merged = { ...this.#db.parsers, ...parsers };
      this.#merged.set(parsers, merged);
    }
    return merged;
  }

  async #statement(sql) {
    const known = this.#byText.get(sql);
    if (known) {
      this.#byText.delete(sql);
      this.#byText.set(sql, known);
      return known;
    }
    const name = `herald_${this.#nextName++}`;
    const { parse, describe, sync, close } = this.#serialize;
    // A statement PostgreSQL refuses throws here and is not kept.
    const { messages } = await this.#db.execProtocol(
      concat([parse({ name, text: sql }), describe({ type: 'S', name }), sync()]),
      { syncToFs: false },
    );
    const statement = { name, paramTypes: this.#parse.parseDescribeStatementResults(messages) };
    this.#byText.set(sql, statement);
    if (this.#byText.size > MAX_STATEMENTS) {
      const [oldest, { name: closed }] = this.#byText.entries().next().value;
      this.#byText.delete(oldest);
      await this.#db.execProtocol(concat([close({ type: 'S', name: closed }), sync()]), {
        syncToFs: false,
      });
    }
    return statement;
  }
}
