import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DatabaseHandle, usePostgres } from "../../src/db/client";
import { listTasks } from "../../src/tasks/list-tasks";
import { ListQuerySchema } from "../../src/tasks/tasks.schemas";
import { openTestDatabase, postgresUrlOf } from "../support/test-server";

// A search no index can narrow reads at most a window of tasks per page; when the window holds
// less than a page of matches, the next page begins after the window's last row. That position
// must come from the window's own snapshot (decision 048): read in a statement of its own, a task
// removed in between moved it one task on, and the next page skipped that task. Postgres only:
// the race needs a second connection.

const OWNER = "window-end-owner";
const BUDGET = { window: 10, countCap: 100 };

let url: string;
let database: DatabaseHandle;
beforeAll(async () => {
  const opened = await openTestDatabase();
  url = postgresUrlOf(opened);
  database = usePostgres(url, { poolMax: 4 });
  await opened.close();
});
afterAll(() => database.close());

it("skips no task when a task leaves the window while a page is read", async () => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // 21 tasks, oldest first; only the 11th holds "xy", and it is the first task after the first
    // page's window (the newest 10) once the newest task is gone.
    await admin.query(
      `insert into tasks (user_id, title, created_at, updated_at)
       select $1, case when n = 11 then 'task xy ' || n else 'task ' || n end,
              timestamptz '2026-01-01' + n * interval '1 second',
              timestamptz '2026-01-01' + n * interval '1 second'
       from generate_series(1, 21) as n`,
      [OWNER],
    );
    // Another session removes the newest task and commits just before the list's second
    // statement, if it has one: between the window and a separate read of where it ended.
    await admin.query("begin");
    await admin.query(
      `delete from tasks where id = (
         select id from tasks where user_id = $1 order by created_at desc limit 1)`,
      [OWNER],
    );
    let committed = false;
    const commit = async () => {
      if (!committed) {
        committed = true;
        await admin.query("commit");
      }
    };
    if (database.kind !== "postgres") throw new Error("a Postgres pool is needed");
    const pool = database.pool;
    const query = pool.query.bind(pool);
    let statements = 0;
    const counting = async (...args: Parameters<pg.Pool["query"]>) => {
      statements += 1;
      if (statements === 2) await commit();
      return (query as (...a: unknown[]) => unknown)(...args);
    };
    pool.query = counting as unknown as pg.Pool["query"];
    const search = ListQuerySchema.parse({ q: "xy" });
    const first = await listTasks(database.db, OWNER, search, undefined, BUDGET).finally(() => {
      pool.query = query;
    });
    // The list's statements went through the hook (else it could not have committed in between).
    expect(statements).toBeGreaterThanOrEqual(1);
    await commit();
    expect(first.tasks).toEqual([]);
    expect(first.next).toBeDefined();
    const second = await listTasks(database.db, OWNER, search, first.next, BUDGET);
    expect(second.tasks.map((task) => task.title)).toEqual(["task xy 11"]);
  } finally {
    await admin.query("rollback").catch(() => {});
    await admin.end();
  }
});
