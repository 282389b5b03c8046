import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { keepPlannerStatistics } from "../../src/db/maintenance";
import { openTestDatabase } from "../support/test-server";

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const estimatedRows = async () => {
  const result = await database.db.execute<{ rows: number }>(
    sql`select reltuples::int as rows from pg_class where relname = 'tasks'`,
  );
  return Number((result.rows[0] as { rows: number } | undefined)?.rows ?? -1);
};

describe("planner statistics on PGlite", () => {
  it("are refreshed at start, so a user's thousands of tasks are read through the index", async () => {
    await database.db.execute(
      sql`insert into tasks (user_id, title) select 'many', 'Task ' || g from generate_series(1, 2000) g`,
    );
    expect(await estimatedRows()).toBeLessThan(2000);
    const stop = keepPlannerStatistics(database, pino({ level: "silent" }));
    try {
      await expect.poll(estimatedRows, { timeout: 5_000 }).toBe(2000);
      const plan = await database.db.execute(
        sql`explain select * from tasks where user_id = 'many' order by created_at desc, id desc limit 51`,
      );
      expect(JSON.stringify(plan.rows)).toContain("tasks_user_created_idx");
    } finally {
      stop();
    }
  });
});
