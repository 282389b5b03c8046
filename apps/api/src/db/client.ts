import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
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
      /** For work that must not run under the pool's timeouts, such as migrations. */
      url: string;
      close(): Promise<void>;
    };

export function usePglite(client: PGlite): DatabaseHandle {
  return {
    kind: "pglite",
    db: drizzlePglite({ client, schema }),
    client,
    close: () => client.close(),
  };
}

export function usePostgres(
  connectionString: string,
  onError?: (error: Error) => void,
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Fail fast instead of hanging when the database is down: the request becomes a 503.
    connectionTimeoutMillis: 3_000,
    query_timeout: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection emits here; without a listener the process would exit.
  pool.on("error", (error) => onError?.(error));
  return {
    kind: "postgres",
    db: drizzlePg({ client: pool, schema }),
    pool,
    url: connectionString,
    close: () => pool.end(),
  };
}

/** DATABASE_URL set: that Postgres. Unset: an embedded PGlite kept in DATA_DIR. */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  onError?: (error: Error) => void;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) return usePostgres(options.databaseUrl, options.onError);
  const dir = join(options.dataDir, "pglite");
  await mkdir(dir, { recursive: true });
  const client = await PGlite.create(dir);
  return usePglite(client);
}
