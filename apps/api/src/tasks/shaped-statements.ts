import { LRUCache } from "lru-cache";
import { type Database, perDatabase } from "../db/client";

/**
 * A Drizzle prepared statement, answering the driver's rows as they are (`all()`): column names,
 * times as text (driver-row.ts). Both drivers we use (node-postgres, PGlite) have `all()`, but
 * Drizzle's types leave it out; the list tests on both engines fail at once if an upgrade takes
 * it away.
 */
export interface RawStatement {
  all(values: object): Promise<unknown[]>;
}

interface Preparable {
  prepare(name: string): unknown;
}

/**
 * Statements kept per database. There are a few thousand possible shapes (kind × sort × order ×
 * filters × cursor), and any signed-in user can walk them, so the least recently used are dropped:
 * a client uses a handful, and a dropped one is only rebuilt (hundreds of microseconds).
 */
export const STATEMENTS_KEPT = 256;

const statements = perDatabase(() => new LRUCache<string, RawStatement>({ max: STATEMENTS_KEPT }));

/**
 * The statement `build` makes for `key`, built on first use only: Drizzle composes SQL at a cost
 * of hundreds of microseconds and kilobytes per statement, which a list paid on every request
 * (decision 043). Its values are bound by name when it runs. `name` "" runs it unnamed, so that
 * Postgres plans it for each request's values (a filter's selectivity depends on them); a name
 * keeps one plan per connection, for statements whose best plan never changes (decision 031).
 * The keys are a statement's kind and a list's shape (list-sql.ts, `shapeOf`). A named statement
 * rebuilt after it was dropped has the same name and text, which Postgres accepts on a connection
 * that prepared it before.
 */
export function statementOf(
  db: Database,
  key: string,
  build: () => Preparable,
  name = "",
): RawStatement {
  const byKey = statements(db);
  let statement = byKey.get(key);
  if (!statement) {
    statement = build().prepare(name) as RawStatement;
    byKey.set(key, statement);
  }
  return statement;
}

/** How many statements `db` keeps now: at most STATEMENTS_KEPT. */
export const statementsKept = (db: Database) => statements(db).size;
