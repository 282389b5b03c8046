import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DatabaseHandle, usePostgres } from "../../src/db/client";
import { listTasks } from "../../src/tasks/list-tasks";
import { ListQuerySchema } from "../../src/tasks/tasks.schemas";
import { openTestDatabase, postgresUrlOf } from "../support/test-server";

// What a filtered list reads must come from one snapshot. Postgres only: these races need a second
// connection, which PGlite does not have.
// - The user's task counters decide whether its window of newest tasks held them all (decision
//   046): read apart, a task added or removed between the two reads made the list skip the oldest
//   task.
// - A search no index can narrow begins its next page after the window's last row when the window
//   holds less than a page of matches (decision 048): read in a statement of its own, a task
//   removed in between moved that position one task on, and the next page skipped a task.

const OWNER = "snapshot-owner";
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

/** Until a statement waits for the lock on task_counts (`watcher` outside any transaction, so that each look is new). */
async function untilWaitingOnLock(watcher: pg.Client) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { rows } = await watcher.query(
      `select 1 from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and query like '%task_counts%'`,
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("no statement came to wait on the lock of task_counts");
}

it("finds the oldest task when a task is removed while the list is read", async () => {
  const admin = new pg.Client({ connectionString: url });
  const watcher = new pg.Client({ connectionString: url });
  await Promise.all([admin.connect(), watcher.connect()]);
  try {
    // 11 tasks, one more than the window; the oldest alone holds the word searched for.
    await admin.query(
      `insert into tasks (user_id, title, created_at, updated_at)
       select $1, case when n = 1 then 'the needle' else 'hay ' || n end,
              timestamptz '2026-01-01' + n * interval '1 second',
              timestamptz '2026-01-01' + n * interval '1 second'
       from generate_series(1, 11) as n`,
      [OWNER],
    );
    // Another session removes the newest task and holds the counters until the list has begun.
    await admin.query("begin");
    await admin.query("lock table task_counts in access exclusive mode");
    await admin.query(
      `delete from tasks where id = (
         select id from tasks where user_id = $1 order by created_at desc limit 1)`,
      [OWNER],
    );
    const query = ListQuerySchema.parse({ q: "needle" });
    const listing = listTasks(database.db, OWNER, query, undefined, BUDGET);
    listing.catch(() => {});
    await untilWaitingOnLock(watcher);
    await admin.query("commit");
    const page = await listing;
    expect(page.tasks.map((task) => task.title)).toEqual(["the needle"]);
    expect(page.total).toEqual({ count: 1, atLeast: false });
  } finally {
    await admin.query("rollback").catch(() => {});
    await Promise.all([admin.end(), watcher.end()]);
  }
});

const WINDOW_OWNER = "window-end-owner";

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
      [WINDOW_OWNER],
    );
    // Another session removes the newest task and commits just before the list's second
    // statement, if it has one: between the window and a separate read of where it ended.
    await admin.query("begin");
    await admin.query(
      `delete from tasks where id = (
         select id from tasks where user_id = $1 order by created_at desc limit 1)`,
      [WINDOW_OWNER],
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
    const first = await listTasks(database.db, WINDOW_OWNER, search, undefined, BUDGET).finally(
      () => {
        pool.query = query;
      },
    );
    // The list's statements went through the hook (else it could not have committed in between).
    expect(statements).toBeGreaterThanOrEqual(1);
    await commit();
    expect(first.tasks).toEqual([]);
    expect(first.next).toBeDefined();
    const second = await listTasks(database.db, WINDOW_OWNER, search, first.next, BUDGET);
    expect(second.tasks.map((task) => task.title)).toEqual(["task xy 11"]);
  } finally {
    await admin.query("rollback").catch(() => {});
    await admin.end();
  }
});
