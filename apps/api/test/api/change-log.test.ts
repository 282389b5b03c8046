import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { openTestDatabase } from "../support/test-server";

// The change log's triggers (migration 0006, decision 035), driven with plain SQL: whatever writes
// to `tasks`, each changed row appends one event, numbered without gaps per user.

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

interface EventRow {
  seq: number;
  task_id: number;
  op: string;
  version: number;
  title: string | null;
  changed: string[];
  before: Record<string, unknown>;
}

async function rows<T>(query: SQL): Promise<T[]> {
  return (await database.db.execute(query)).rows as T[];
}

const eventsOf = (userId: string) =>
  rows<EventRow>(sql`
    select seq::int, task_id, op, version, task->>'title' as title, changed, before
    from task_events where user_id = ${userId} order by seq`);

const insertTask = async (userId: string, title: string) => {
  const [row] = await rows<{ id: number }>(
    sql`insert into tasks (user_id, title) values (${userId}, ${title}) returning id`,
  );
  if (!row) throw new Error("no id returned");
  return row.id;
};

describe("the change log", () => {
  it("records a create, an update, a move to the trash, a restore and a purge", async () => {
    const user = "log-ops";
    const id = await insertTask(user, "Draft");
    await database.db.execute(
      sql`update tasks set title = 'Final', priority = 'high', version = version + 1 where id = ${id}`,
    );
    await database.db.execute(
      sql`update tasks set deleted_at = now(), version = version + 1 where id = ${id}`,
    );
    await database.db.execute(
      sql`update tasks set deleted_at = null, version = version + 1 where id = ${id}`,
    );
    await database.db.execute(sql`delete from tasks where id = ${id}`);

    const events = await eventsOf(user);
    expect(events.map((e) => [e.seq, e.op, e.version, e.title])).toEqual([
      [1, "create", 1, "Draft"],
      [2, "update", 2, "Final"],
      [3, "delete", 3, "Final"],
      [4, "restore", 4, "Final"],
      [5, "purge", 4, null],
    ]);
    expect(events.every((e) => e.task_id === id)).toBe(true);
    expect(events[1]?.changed.sort()).toEqual(["priority", "title"]);
    expect(events[1]?.before).toEqual({ title: "Draft", priority: "medium" });
    expect(events[2]?.changed).toEqual(["deleted_at"]);
    expect(events[2]?.before).toEqual({ deleted_at: null });
    const [sync] = await rows<{ seq: number }>(
      sql`select seq::int from user_sync where user_id = ${user}`,
    );
    expect(sync?.seq).toBe(5);
  });

  it("gives each row of a bulk statement its own event, per owner, numbered in one run", async () => {
    await insertTask("log-bulk-other", "Not mine");
    await database.db.execute(
      sql`insert into tasks (user_id, title) select 'log-bulk', 'Task ' || g from generate_series(1, 50) g`,
    );
    await database.db.execute(
      sql`update tasks set completed = true, version = version + 1 where user_id in ('log-bulk', 'log-bulk-other')`,
    );
    const events = await eventsOf("log-bulk");
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(events.filter((e) => e.op === "update")).toHaveLength(50);
    expect(new Set(events.filter((e) => e.op === "update").map((e) => e.task_id)).size).toBe(50);
    expect((await eventsOf("log-bulk-other")).map((e) => [e.seq, e.op])).toEqual([
      [1, "create"],
      [2, "update"],
    ]);
  });

  it("leaves neither an event nor a used number behind a write that rolled back", async () => {
    const user = "log-rollback";
    await insertTask(user, "Kept");
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into tasks (user_id, title) values (${user}, 'Lost')`);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await insertTask(user, "Next");
    expect((await eventsOf(user)).map((e) => [e.seq, e.title])).toEqual([
      [1, "Kept"],
      [2, "Next"],
    ]);
  });

  it("numbers 20 concurrent writers' events without gaps or repeats", async () => {
    const user = "log-concurrent";
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => insertTask(user, `T${i}`)));
    await Promise.all(
      ids.flatMap((id) => [
        database.db.execute(sql`update tasks set completed = not completed where id = ${id}`),
        database.db.execute(sql`update tasks set title = title || '!' where id = ${id}`),
      ]),
    );
    const seqs = (await eventsOf(user)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it("counts only live tasks in task_counts, through the trash and back", async () => {
    const user = "log-counts";
    const id = await insertTask(user, "Counted");
    await insertTask(user, "Also counted");
    const counts = async () =>
      (await rows<{ total: number }>(sql`select total from task_counts where user_id = ${user}`))[0]
        ?.total;
    expect(await counts()).toBe(2);
    await database.db.execute(sql`update tasks set deleted_at = now() where id = ${id}`);
    expect(await counts()).toBe(1);
    await database.db.execute(sql`delete from tasks where id = ${id}`);
    expect(await counts()).toBe(1);
  });
});
