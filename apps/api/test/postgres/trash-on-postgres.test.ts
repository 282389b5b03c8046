import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, usePostgres } from "../../src/db/client";
import { taskHistory } from "../../src/tasks/history.queries";
import { createTask, deleteTask } from "../../src/tasks/tasks.queries";
import { listTrash } from "../../src/tasks/trash.queries";
import { purgeExpiredTrash } from "../../src/tasks/trash-purge";
import { openTestDatabase, postgresUrlOf } from "../support/test-server";

// What only a server with several connections shows (decision 039): replicas take turns to purge
// the trash, and the trash's and history's statements can walk their indexes.

let database: DatabaseHandle & { url?: string };
let url: string;
beforeAll(async () => {
  database = await openTestDatabase();
  url = postgresUrlOf(database);
});
afterAll(() => database.close());

async function expiredTask(owner: string) {
  const task = await createTask(database.db, owner, { title: "old" });
  await deleteTask(database.db, owner, task.id, undefined);
  await database.db.execute(
    sql`update tasks set deleted_at = now() - interval '40 days' where id = ${task.id}`,
  );
  return task.id;
}

describe("the automatic purge on several replicas", () => {
  it("leaves the round to the replica that holds the purge lock, and purges once it is free", async () => {
    const id = await expiredTask("replica-owner");
    const cutoff = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
    const otherReplica = new pg.Client({ connectionString: url });
    await otherReplica.connect();
    try {
      await otherReplica.query("begin");
      const { rows } = await otherReplica.query(
        "select pg_try_advisory_xact_lock(7412903313) as locked",
      );
      expect(rows[0].locked).toBe(true);
      expect(await purgeExpiredTrash(database.db, cutoff)).toBe(0);
      await otherReplica.query("commit");
      expect(await purgeExpiredTrash(database.db, cutoff)).toBe(1);
    } finally {
      await otherReplica.end();
    }
    const left = await database.db.execute(sql`select 1 from tasks where id = ${id}`);
    expect(left.rows).toEqual([]);
  });
});

describe("the trash's and history's statements", () => {
  it("read the trash through tasks_user_trash_idx and the history through task_events_user_task_idx, without a sort", async () => {
    const owner = "plan-owner";
    const id = await expiredTask(owner);
    // One connection: the named statements the queries prepare are the ones EXPLAIN EXECUTE runs.
    const single = usePostgres(url, { poolMax: 1 });
    try {
      const cursor = { deletedAt: new Date().toISOString(), id: 2147483647 };
      expect((await listTrash(single.db, owner, 50, cursor)).tasks.map((t) => t.id)).toEqual([id]);
      expect((await taskHistory(single.db, owner, id)).map((e) => e.op)).toContain("delete");
      const plan = async (statement: string) => {
        await single.db.execute(sql.raw("set enable_seqscan = off"));
        const result = await single.db.execute(sql.raw(`explain execute ${statement}`));
        return (result.rows as Record<string, string>[]).map((r) => Object.values(r)[0]).join("\n");
      };
      const { rows } = await single.db.execute<{ name: string; statement: string }>(
        sql`select name, statement from pg_prepared_statements
            where name in ('trash_next_page', 'task_history') order by name`,
      );
      expect(rows.map((r) => r.name)).toEqual(["task_history", "trash_next_page"]);
      const trashPage = await plan(
        `trash_next_page('${owner}', '${cursor.deletedAt}', ${cursor.id}, 51)`,
      );
      expect(trashPage).toContain("tasks_user_trash_idx");
      expect(trashPage).not.toContain("Sort");
      const history = await plan(`task_history('${owner}', ${id}, 100)`);
      expect(history).toContain("task_events_user_task_idx");
      expect(history).not.toContain("Sort");
    } finally {
      await single.close();
    }
  });
});
