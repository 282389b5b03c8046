import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import journal from "../../drizzle/meta/_journal.json";
import { usePostgres } from "../../src/db/client";
import { isSchemaCurrent, latestMigrationTimestamp, runMigrations } from "../../src/db/migrate";
import { paths } from "../../src/paths";
import { listTasks } from "../../src/tasks/list-tasks";
import { ListQuerySchema } from "../../src/tasks/tasks.schemas";
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

  it("0005 and 0007 (search) run as a database owner who is not a superuser, and index the tasks written before them", async () => {
    const suffix = randomUUID().replaceAll("-", "").slice(0, 8);
    const role = `${info.prefix}_owner_${suffix}`;
    const name = `${info.prefix}_owned_${suffix}`;
    const password = randomUUID();
    const admin = new pg.Client({ connectionString: info.adminUrl });
    await admin.connect();
    await admin.query(`create role "${role}" login nosuperuser password '${password}'`);
    await admin.query(`create database "${name}" owner "${role}"`);
    const url = new URL(withDatabase(info.adminUrl, name));
    url.username = role;
    url.password = password;
    const handle = usePostgres(url.toString());
    // The migrations before 0005: a copy of the folder whose journal ends at 0004.
    const before = await mkdtemp(join(tmpdir(), "todo-migrations-"));
    try {
      await cp(paths.migrations, before, { recursive: true });
      for (const file of await readdir(before)) {
        if (file.startsWith("0005")) await rm(join(before, file));
      }
      const earlier = { ...journal, entries: journal.entries.filter((entry) => entry.idx < 5) };
      await writeFile(join(before, "meta", "_journal.json"), JSON.stringify(earlier));
      await runMigrations(handle, before);
      await handle.db.execute(sql`
        insert into tasks (user_id, title)
        select 'early', 'Task ' || n || case when n % 500 = 7 then ' renew passport' else '' end
        from generate_series(1, 3000) as n`);

      await runMigrations(handle);
      expect(await isSchemaCurrent(handle, await latestMigrationTimestamp())).toBe(true);
      const extensions = await handle.db.execute(
        sql`select extname from pg_extension where extname in ('pg_trgm', 'btree_gin') order by 1`,
      );
      expect(extensions.rows).toEqual([{ extname: "btree_gin" }, { extname: "pg_trgm" }]);
      await handle.db.execute(sql`analyze tasks`);
      // The search index of 0007 (decision 040), as the list's index step asks it.
      const plan = await handle.db.execute(sql`
        explain select 1 from tasks where deleted_at is null
          and task_search_keys(user_id, title, description) @> task_search_query_keys('early', 'passport')`);
      expect(JSON.stringify(plan.rows)).toContain("tasks_user_search_keys_idx");
      const page = await listTasks(
        handle.db,
        "early",
        ListQuerySchema.parse({ q: "passport" }),
        undefined,
      );
      expect(page.tasks.map((task) => task.title)).toEqual(
        [2507, 2007, 1507, 1007, 507, 7].map((n) => `Task ${n} renew passport`),
      );
      expect(page.total).toEqual({ count: 6, atLeast: false });
    } finally {
      await handle.close();
      await rm(before, { recursive: true, force: true });
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.query(`drop role if exists "${role}"`);
      await admin.end();
    }
  });
});
