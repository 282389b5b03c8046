import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { max } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import { bigint, pgSchema } from "drizzle-orm/pg-core";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { paths } from "../paths";
import type { Database, DatabaseHandle } from "./client";

/** Drizzle's own bookkeeping table; `created_at` holds the `when` of each applied migration. */
const appliedMigrations = pgSchema("drizzle").table("__drizzle_migrations", {
  createdAt: bigint("created_at", { mode: "number" }),
});

/** Any fixed number: the advisory lock that lets one replica at a time run migrations. */
const MIGRATION_LOCK_ID = 7_412_903_311;

export async function runMigrations(
  handle: DatabaseHandle,
  migrationsFolder = paths.migrations,
): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db, { migrationsFolder });
    return;
  }
  // Its own connection, free of the pool's query timeout: waiting for another replica's lock, or a
  // long index build, must not fail the start. The advisory lock makes replicas that start together
  // take turns instead of racing through the same DDL. It is a session lock, held across Drizzle's
  // own transaction: hence the direct URL, never a transaction-mode pooler (decision 030).
  const client = new pg.Client({ connectionString: handle.directUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await migratePostgres(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
}

/** The `when` of the newest migration in git: the database is current when it has applied it. */
export async function latestMigrationTimestamp(
  migrationsFolder = paths.migrations,
): Promise<number> {
  const journal = JSON.parse(
    await readFile(join(migrationsFolder, "meta", "_journal.json"), "utf8"),
  ) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((entry) => entry.when));
}

/** Throws when the database is unreachable; false when it lacks migrations that the code expects. */
export async function isSchemaCurrent(handle: DatabaseHandle, expected: number): Promise<boolean> {
  const db: Database = handle.db;
  const [row] = await db
    .select({ latest: max(appliedMigrations.createdAt) })
    .from(appliedMigrations);
  return (row?.latest ?? 0) >= expected;
}
