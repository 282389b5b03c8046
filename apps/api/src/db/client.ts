import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle as drizzlePg, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import pg from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle =
  | { kind: "pglite"; db: PgliteDatabase<Schema>; client: PGlite; close(): Promise<void> }
  | {
      kind: "postgres";
      db: NodePgDatabase<Schema>;
      pool: pg.Pool;
      /**
       * For work that needs a connection of its own, outside the pool and its timeouts: migrations
       * and the locks that make replicas take turns (decision 030). DATABASE_DIRECT_URL when set,
       * since a pooler in transaction mode cannot hold a session.
       */
      directUrl: string;
      close(): Promise<void>;
    };

/**
 * The contrib extensions the migrations create (0005: search indexes, decision 025). PGlite
 * bundles each one separately and can only CREATE EXTENSION what its constructor was given.
 */
const pgliteExtensions = { pg_trgm, btree_gin };

/**
 * Every PGlite of this app (the server, `db:migrate`, `db:backup`, `db:restore`, tests, the
 * benchmark) opens through here, with the extensions.
 */
export function createPglite(options: Omit<PGliteOptions, "extensions"> = {}): Promise<PGlite> {
  return PGlite.create({ ...options, extensions: pgliteExtensions });
}

export function usePglite(client: PGlite): DatabaseHandle {
  return {
    kind: "pglite",
    db: drizzlePglite({ client, schema }),
    client,
    close: () => client.close(),
  };
}

// The database's share of the 5 s a request may take (REQUEST_TIMEOUT_MS; decision 020): a
// database that is down, hung or overloaded becomes a 503 within these, not a hang.

/** To open a connection, or to wait for a free one when all are busy. */
export const DATABASE_CONNECT_TIMEOUT_MS = 2_000;
/**
 * Server side: Postgres cancels a longer statement itself (SQLSTATE 57014, a 503) and the
 * connection stays usable.
 */
export const DATABASE_STATEMENT_TIMEOUT_MS = 2_000;
/**
 * Client side, for a server that does not answer at all (hung, or the network lost): a little
 * longer than the statement timeout, so that a live server reports its own cancellation first.
 */
export const DATABASE_QUERY_TIMEOUT_MS = 2_500;

const unnamedStatements = new WeakSet<Database>();

/**
 * The name a prepared statement gets on `db`: `name`, or "" (sent unnamed) where
 * DATABASE_NAMED_STATEMENTS=false (decision 031).
 */
export const statementName = (db: Database, name: string) =>
  unnamedStatements.has(db) ? "" : name;

/**
 * Runs `work` in a transaction. The transaction is a database of its own to the statement caches
 * (perDatabase builds its statements on first use: prepared statements run on the transaction's
 * connection, under the same names, which Postgres keeps per connection), and it inherits
 * DATABASE_NAMED_STATEMENTS=false from `db`.
 */
export function inTransaction<T>(db: Database, work: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => {
    if (unnamedStatements.has(db)) unnamedStatements.add(tx);
    return work(tx);
  });
}

/** `build(db)` made once per database, on first use: for statements prepared once (decision 031). */
export function perDatabase<T>(build: (db: Database) => T): (db: Database) => T {
  const made = new WeakMap<Database, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) {
      value = build(db);
      made.set(db, value);
    }
    return value;
  };
}

/** Connections one process keeps at most (DATABASE_POOL_MAX); see decision 030 for the sum. */
export const DEFAULT_POOL_MAX = 10;

export interface PostgresOptions {
  /** DATABASE_DIRECT_URL: a direct (session) connection when `connectionString` is a pooler. */
  directUrl?: string;
  poolMax?: number;
  /**
   * false: the hot statements go unnamed (parsed on every run), for a transaction-mode pooler that
   * cannot keep named ones (PgBouncer before 1.21). Default true.
   */
  namedStatements?: boolean;
  /** An idle pooled connection failed (the database restarted or the network dropped it). */
  onError?: (error: Error) => void;
}

export function usePostgres(
  connectionString: string,
  options: PostgresOptions = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolMax ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: DATABASE_QUERY_TIMEOUT_MS,
    // A SET on each new connection, not the `statement_timeout` startup parameter: poolers in
    // transaction mode (PgBouncer, Neon's pooled URLs) refuse unknown startup parameters.
    onConnect: (client) =>
      client.query(`set statement_timeout = ${DATABASE_STATEMENT_TIMEOUT_MS}`).then(() => {}),
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits here; without a listener the process would exit.
  pool.on("error", (error) => options.onError?.(error));
  const db = drizzlePg({ client: pool, schema });
  if (options.namedStatements === false) unnamedStatements.add(db);
  return {
    kind: "postgres",
    db,
    pool,
    directUrl: options.directUrl ?? connectionString,
    close: () => pool.end(),
  };
}

/** Where the embedded database of DATA_DIR lives. */
export const pgliteDirectory = (dataDir: string) => join(dataDir, "pglite");

/** DATABASE_URL set: that Postgres. Unset: an embedded PGlite kept in DATA_DIR. */
export async function openDatabase(
  options: PostgresOptions & { databaseUrl: string | undefined; dataDir: string },
): Promise<DatabaseHandle> {
  if (options.databaseUrl) return usePostgres(options.databaseUrl, options);
  const dir = pgliteDirectory(options.dataDir);
  await mkdir(dir, { recursive: true });
  const client = await createPglite({ dataDir: dir });
  return usePglite(client);
}
