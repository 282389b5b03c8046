import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { createTask, deleteTask } from "../../src/tasks/tasks.queries";
import { purgeExpiredTrash } from "../../src/tasks/trash-purge";
import { openTestDatabase } from "../support/test-server";

// What only a server with several connections shows (decision 039): replicas take turns to purge
// the trash, and the trash's and history's statements can walk their indexes.

let database: DatabaseHandle & { url?: string };
let url: string;
beforeAll(async () => {
  database = await openTestDatabase();
  if (!database.url) throw new Error("this file belongs to the postgres project");
  url = database.url;
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
  /** The plan of `query` when Postgres may not read the whole table: an index it can use, or none. */
  async function planOf(query: string, params: unknown[]) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("set enable_seqscan = off");
      const { rows } = await client.query(`explain ${query}`, params);
      return rows.map((row: Record<string, string>) => Object.values(row)[0]).join("\n");
    } finally {
      await client.end();
    }
  }

  it("read the trash through tasks_user_trash_idx and the history through task_events_user_task_idx", async () => {
    await expiredTask("plan-owner");
    const trashPage = await planOf(
      `select * from tasks where user_id = $1 and deleted_at is not null
        and (deleted_at, id) < ($2::timestamptz, $3)
        order by deleted_at desc nulls last, id desc nulls last limit 51`,
      ["plan-owner", new Date().toISOString(), 2147483647],
    );
    expect(trashPage).toContain("tasks_user_trash_idx");
    expect(trashPage).not.toContain("Sort");
    const history = await planOf(
      "select * from task_events where user_id = $1 and task_id = $2 order by seq desc limit 100",
      ["plan-owner", 1],
    );
    expect(history).toContain("task_events_user_task_idx");
    expect(history).not.toContain("Sort");
  });
});
