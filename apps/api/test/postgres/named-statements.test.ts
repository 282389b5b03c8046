import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, inTransaction, usePostgres } from "../../src/db/client";
import { listTasks } from "../../src/tasks/list-tasks";
import { STATEMENTS_KEPT, statementsKept } from "../../src/tasks/shaped-statements";
import { createTask, getTask, setCompleted, updateTask } from "../../src/tasks/tasks.queries";
import { ListQuerySchema, TASK_SORTS } from "../../src/tasks/tasks.schemas";
import { openTestDatabase, postgresUrlOf } from "../support/test-server";

// The single-task statements, an unfiltered list's first page (decision 031) and the first page's
// window of the status tabs and the search box (decision 052) are named prepared statements, unless
// DATABASE_NAMED_STATEMENTS=false asks for unnamed ones, which transaction poolers without
// prepared-statement support (PgBouncer < 1.21) need. One connection per pool, so that
// pg_prepared_statements (per session) shows what that connection holds.

let url: string;
let scratch: DatabaseHandle;
beforeAll(async () => {
  const opened = await openTestDatabase();
  url = postgresUrlOf(opened);
  scratch = opened;
});
afterAll(() => scratch.close());

async function preparedNamesAfterWork(namedStatements: boolean) {
  const database = usePostgres(url, { poolMax: 1, namedStatements });
  const owner = `someone-${namedStatements}`;
  try {
    const task = await createTask(database.db, owner, { title: "t" });
    // A transaction (an Idempotency-Key request, decision 037) follows the same setting.
    await inTransaction(database.db, (tx) => createTask(tx, `${owner}-tx`, { title: "in one" }));
    await getTask(database.db, owner, task.id);
    await updateTask(database.db, owner, task.id, { title: "u" }, [task.version]);
    await setCompleted(database.db, owner, task.id, undefined, undefined);
    const page = await listTasks(database.db, owner, ListQuerySchema.parse({}), undefined);
    expect(page.tasks.map((each) => each.id)).toEqual([task.id]);
    const tab = async (status: string) =>
      (await listTasks(database.db, owner, ListQuerySchema.parse({ status }), undefined)).tasks;
    expect([...(await tab("pending")), ...(await tab("completed"))]).toHaveLength(1);
    const result = await database.db.execute<{ name: string }>(
      sql`select name from pg_prepared_statements order by name`,
    );
    return result.rows.map((row) => row.name);
  } finally {
    await database.close();
  }
}

describe("the hot statements", () => {
  it("are named prepared statements by default, parsed once per connection", async () => {
    expect(await preparedNamesAfterWork(true)).toEqual(
      expect.arrayContaining([
        "task_create",
        "task_get",
        expect.stringMatching(/^task_update_/),
        "task_list_created_desc",
        "task_window_created_desc_status",
      ]),
    );
  });

  it("go unnamed when DATABASE_NAMED_STATEMENTS is false, and still work", async () => {
    expect(await preparedNamesAfterWork(false)).toEqual([]);
  });
});

describe("the list's statements, built once per shape (decision 043)", () => {
  it("are kept up to a bound, and a first page whose named statement was dropped still answers", async () => {
    const database = usePostgres(url, { poolMax: 1, namedStatements: true });
    const owner = "shape-walker";
    try {
      const task = await createTask(database.db, owner, {
        title: "walked",
        priority: "high",
        tags: ["x"],
        due_date: "2030-01-01T00:00:00.000Z",
      });
      const firstPage = () => listTasks(database.db, owner, ListQuerySchema.parse({}), undefined);
      expect((await firstPage()).tasks.map((each) => each.id)).toEqual([task.id]);

      // 5 sorts × 2 orders × 32 filter sets: more shapes than are kept, each answering the task.
      const filterSets = Array.from({ length: 32 }, (_, bits) => ({
        ...(bits & 1 ? { status: "pending" } : {}),
        ...(bits & 2 ? { priority: "high" } : {}),
        ...(bits & 4 ? { tag: "x" } : {}),
        ...(bits & 8 ? { due_before: "2031-01-01T00:00:00Z" } : {}),
        ...(bits & 16 ? { due_after: "2029-01-01T00:00:00Z" } : {}),
      }));
      for (const sort of TASK_SORTS) {
        for (const order of ["asc", "desc"]) {
          for (const filters of filterSets) {
            const query = ListQuerySchema.parse({ sort, order, ...filters });
            const page = await listTasks(database.db, owner, query, undefined);
            expect(page.tasks.map((each) => each.id)).toEqual([task.id]);
          }
        }
      }
      expect(statementsKept(database.db)).toBe(STATEMENTS_KEPT);

      // The connection still holds task_list_created_desc; the statement rebuilt under that
      // name has the same text, which node-postgres and Postgres accept.
      expect((await firstPage()).tasks.map((each) => each.id)).toEqual([task.id]);
      const names = await database.db.execute<{ name: string }>(
        sql`select name from pg_prepared_statements where name = 'task_list_created_desc'`,
      );
      expect(names.rows).toHaveLength(1);
    } finally {
      await database.close();
    }
  });
});

describe("the windows of the status tabs and the search box (decision 052)", () => {
  const prepared = async (database: DatabaseHandle) =>
    (
      await database.db.execute<{ name: string; generic_plans: number }>(
        sql`select name, generic_plans::int from pg_prepared_statements where name like 'task_window_%' order by name`,
      )
    ).rows;

  it("are named on a first page, and their one plan answers every value alike", async () => {
    const database = usePostgres(url, { poolMax: 1, namedStatements: true });
    const owner = "window-owner";
    try {
      const made = async (title: string, completed = false) => {
        const task = await createTask(database.db, owner, { title });
        if (completed) await setCompleted(database.db, owner, task.id, true, undefined);
        return task.id;
      };
      const milk = await made("Buy MILK");
      const shake = await made("milkshake", true);
      const bread = await made("Bread");
      const ids = async (query: Record<string, string>) =>
        (await listTasks(database.db, owner, ListQuerySchema.parse(query), undefined)).tasks.map(
          (each) => each.id,
        );
      // One plan for all values, as Postgres keeps for a named statement after five runs where it
      // costs no more: forced here, so that every window is checked on it.
      await database.db.execute(sql`set plan_cache_mode = force_generic_plan`);
      for (let round = 0; round < 3; round++) {
        expect(await ids({ q: "milk" })).toEqual([shake, milk]);
        expect(await ids({ q: "BREAD" })).toEqual([bread]);
        expect(await ids({ q: "Milk", status: "completed" })).toEqual([shake]);
        expect(await ids({ q: "bre", status: "completed" })).toEqual([]);
        expect(await ids({ status: "pending" })).toEqual([bread, milk]);
        expect(await ids({ status: "completed", sort: "title", order: "asc" })).toEqual([shake]);
      }
      expect(await prepared(database)).toEqual([
        { name: "task_window_created_desc_q-indexed", generic_plans: expect.any(Number) },
        { name: "task_window_created_desc_status", generic_plans: expect.any(Number) },
        { name: "task_window_created_desc_status_q-indexed", generic_plans: expect.any(Number) },
        { name: "task_window_title_asc_status", generic_plans: expect.any(Number) },
      ]);
      // On the one connection of this pool, which the setting above applies to.
      expect((await prepared(database)).every((row) => row.generic_plans > 0)).toBe(true);

      // Other filters, a search no index narrows, and cursor pages stay unnamed: their shapes
      // number in thousands.
      await ids({ tag: "x" });
      expect(await ids({ q: "mi" })).toEqual([shake, milk]);
      const first = await listTasks(
        database.db,
        owner,
        ListQuerySchema.parse({ q: "milk", limit: 1 }),
        undefined,
      );
      expect(first.next).toBeDefined();
      const second = await listTasks(
        database.db,
        owner,
        ListQuerySchema.parse({ q: "milk", limit: 1 }),
        first.next,
      );
      expect(second.tasks.map((each) => each.id)).toEqual([milk]);
      expect(await prepared(database)).toHaveLength(4);
    } finally {
      await database.close();
    }
  });
});
