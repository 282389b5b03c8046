import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import journal from "../../drizzle/meta/_journal.json";
import { usePostgres } from "../../src/db/client";
import { isSchemaCurrent, latestMigrationTimestamp, runMigrations } from "../../src/db/migrate";
import { withDatabase } from "../support/postgres-url";

function postgresInfo() {
  const provided = inject("testDatabase");
  if (provided.kind !== "postgres") throw new Error("this file belongs to the postgres project");
  return provided;
}
const info = postgresInfo();

/** An empty database (no template), dropped with the rest of the run's databases. */
async function emptyDatabase(): Promise<string> {
  const name = `${info.prefix}_empty_${randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return withDatabase(info.adminUrl, name);
}

describe("migrations on PostgreSQL", () => {
  it("two replicas starting together on an empty database both succeed, and migrate once", async () => {
    const url = await emptyDatabase();
    const replicas = [usePostgres(url), usePostgres(url)];
    try {
      await Promise.all(replicas.map((replica) => runMigrations(replica)));
      const first = replicas[0];
      if (first?.kind !== "postgres") throw new Error("expected a postgres handle");
      expect(await isSchemaCurrent(first, await latestMigrationTimestamp())).toBe(true);
      const { rows } = await first.pool.query(
        "select count(*)::int as n from drizzle.__drizzle_migrations",
      );
      expect(rows[0]?.n).toBe(journal.entries.length);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it("a replica waits for another's migration lock longer than the pool's 10 s query timeout", async () => {
    const url = await emptyDatabase();
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query("select pg_advisory_lock(7412903311)");
    const replica = usePostgres(url);
    try {
      const started = Date.now();
      const migrating = runMigrations(replica);
      setTimeout(() => void holder.end(), 11_000);
      await migrating;
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_500);
      expect(await isSchemaCurrent(replica, await latestMigrationTimestamp())).toBe(true);
    } finally {
      await replica.close();
    }
  }, 30_000);
});
