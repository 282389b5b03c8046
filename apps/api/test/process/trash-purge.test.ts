import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode } from "../support/db-backup-process";
import {
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  type ServerProcess,
  serverEntry,
  startServerProcess,
} from "../support/server-process";

// The built server purges the expired trash as it starts (decision 039): here with two workers
// (WEB_CONCURRENCY=2) on one Postgres, which both try at once; every expired task is purged once,
// with one purge event, and nothing else is touched.

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`[trash-purge] SKIPPING: no Postgres (${unavailable})`);

describe.skipIf(unavailable)("the built server's trash purge", () => {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let server: ServerProcess | undefined;

  async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    database = await createScratchDatabase();
    const migrate = await runNode([serverEntry, "migrate"], {
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
    });
    expect(migrate.code, migrate.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("deletes at start what has been in the trash longer than TRASH_RETENTION_DAYS, once", async () => {
    // 60 expired tasks of 3 users, 2 recent ones and 1 live one.
    await query(`
      insert into tasks (user_id, title, deleted_at)
        select 'user-' || (g % 3), 'old ' || g, now() - interval '8 days' from generate_series(1, 60) g;
      insert into tasks (user_id, title, deleted_at) values
        ('user-0', 'recent', now() - interval '6 days'), ('user-1', 'recent', now());
      insert into tasks (user_id, title) values ('user-2', 'live');`);
    server = await startServerProcess({
      env: {
        DATABASE_URL: database.url,
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        WEB_CONCURRENCY: "2",
        TRASH_RETENTION_DAYS: "7",
      },
    });
    await expect
      .poll(
        async () => (await query("select title from tasks order by title")).map((r) => r.title),
        {
          timeout: 10_000,
        },
      )
      .toEqual(["live", "recent", "recent"]);
    const events = await query<{ task_id: number; n: number }>(
      "select task_id, count(*)::int as n from task_events where op = 'purge' group by task_id",
    );
    expect(events).toHaveLength(60);
    expect(events.every((e) => e.n === 1)).toBe(true);
    expect(server.output()).toContain("purged expired tasks from the trash");
  }, 60_000);
});
