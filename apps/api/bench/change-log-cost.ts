import { sql } from "drizzle-orm";
import pg from "pg";
import { createPglite, type DatabaseHandle, usePglite, usePostgres } from "../src/db/client";
import { runMigrations } from "../src/db/migrate";

/**
 * What the change log (decision 035) costs a write: the same creates and title updates with the
 * task_events triggers on, then DISABLEd (possible only in a throwaway database like this one),
 * in turns A B B A. Timed at the SQL level, on one connection, statement by statement, so that
 * only the database's work differs. Also: 8 writers (one user each) at once, per second.
 *
 *   node --import tsx bench/change-log-cost.ts           Postgres (TEST_DATABASE_URL) and PGlite
 */

export interface LogCost {
  engine: "postgres" | "pglite";
  /** µs per statement, single connection: the median over turns of each turn's median. */
  create_us_with_log: number;
  create_us_without_log: number;
  update_us_with_log: number;
  update_us_without_log: number;
  /** Writes per second of 8 concurrent writers on 8 users (Postgres only: PGlite has one connection). */
  concurrent_writes_per_s_with_log?: number;
  concurrent_writes_per_s_without_log?: number;
}

/** Short blocks in turns A B B A …: the machine's load drifts, and falls on both sides alike. */
const WRITES_PER_TURN = 100;
const TURNS = 24;
const RATE_TURNS = 4;
const WRITERS = 8;
const LOG_TRIGGERS = ["task_events_insert", "task_events_update", "task_events_delete"];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
};

async function setLog(handle: DatabaseHandle, on: boolean) {
  for (const trigger of LOG_TRIGGERS) {
    await handle.db.execute(
      sql.raw(`alter table tasks ${on ? "enable" : "disable"} trigger ${trigger}`),
    );
  }
}

/** µs of each create, then of each update of those tasks, for one user on one connection. */
async function timeWrites(run: (text: string, values: unknown[]) => Promise<unknown[]>) {
  const user = `log-cost-${Math.random().toString(36).slice(2)}`;
  const creates: number[] = [];
  const updates: number[] = [];
  const ids: number[] = [];
  for (let i = 0; i < WRITES_PER_TURN; i++) {
    const started = performance.now();
    const rows = (await run(
      "insert into tasks (user_id, title, tags) values ($1, $2, $3) returning id",
      [user, `Task ${i}`, ["bench"]],
    )) as { id: number }[];
    creates.push((performance.now() - started) * 1000);
    ids.push(Number(rows[0]?.id));
  }
  for (const [i, id] of ids.entries()) {
    const started = performance.now();
    await run(
      "update tasks set title = $3, version = version + 1, updated_at = now() where user_id = $1 and id = $2 returning id",
      [user, id, `Renamed ${i}`],
    );
    updates.push((performance.now() - started) * 1000);
  }
  return { creates, updates };
}

async function concurrentRate(pool: pg.Pool): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      const user = `log-cost-writer-${writer}-${Math.random().toString(36).slice(2)}`;
      for (let i = 0; i < WRITES_PER_TURN / 2; i++) {
        const { rows } = await pool.query<{ id: number }>(
          "insert into tasks (user_id, title) values ($1, $2) returning id",
          [user, `Task ${i}`],
        );
        await pool.query(
          "update tasks set completed = true, version = version + 1 where user_id = $1 and id = $2",
          [user, rows[0]?.id],
        );
      }
    }),
  );
  return Math.round((WRITERS * WRITES_PER_TURN) / ((performance.now() - started) / 1000));
}

async function measure(
  handle: DatabaseHandle,
  run: (text: string, values: unknown[]) => Promise<unknown[]>,
  pool?: pg.Pool,
): Promise<LogCost> {
  const timings = {
    on: { c: [] as number[], u: [] as number[], r: [] as number[] },
    off: { c: [] as number[], u: [] as number[], r: [] as number[] },
  };
  await timeWrites(run); // warm-up
  for (let turn = 0; turn < TURNS; turn++) {
    const on = turn % 4 === 0 || turn % 4 === 3;
    await setLog(handle, on);
    const side = on ? timings.on : timings.off;
    const { creates, updates } = await timeWrites(run);
    side.c.push(median(creates));
    side.u.push(median(updates));
    if (pool && turn < RATE_TURNS) side.r.push(await concurrentRate(pool));
  }
  await setLog(handle, true);
  const round = (value: number) => Math.round(value);
  return {
    engine: handle.kind,
    create_us_with_log: round(median(timings.on.c)),
    create_us_without_log: round(median(timings.off.c)),
    update_us_with_log: round(median(timings.on.u)),
    update_us_without_log: round(median(timings.off.u)),
    ...(pool
      ? {
          concurrent_writes_per_s_with_log: round(median(timings.on.r)),
          concurrent_writes_per_s_without_log: round(median(timings.off.r)),
        }
      : {}),
  };
}

/** On a new database of `adminUrl`'s server, dropped afterwards. */
export async function logCostOnPostgres(adminUrl: string): Promise<LogCost> {
  const name = `todo_bench_log_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = usePostgres(url.toString(), { poolMax: WRITERS + 1 });
  try {
    await runMigrations(handle);
    if (handle.kind !== "postgres") throw new Error("expected Postgres");
    const client = await handle.pool.connect();
    try {
      return await measure(
        handle,
        async (text, values) => (await client.query(text, values)).rows,
        handle.pool,
      );
    } finally {
      client.release();
    }
  } finally {
    await handle.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

export async function logCostOnPglite(): Promise<LogCost> {
  const client = await createPglite();
  const handle = usePglite(client);
  try {
    await runMigrations(handle);
    return await measure(handle, async (text, values) => (await client.query(text, values)).rows);
  } finally {
    await handle.close();
  }
}

export const describeLogCost = (cost: LogCost) => {
  const extra = (withLog: number, without: number) =>
    `${withLog - without >= 0 ? "+" : ""}${withLog - without} µs, ×${(withLog / without).toFixed(2)}`;
  const rate =
    cost.concurrent_writes_per_s_with_log !== undefined &&
    cost.concurrent_writes_per_s_without_log !== undefined
      ? `; 8 writers at once: ${cost.concurrent_writes_per_s_with_log} writes/s with it, ${cost.concurrent_writes_per_s_without_log} without`
      : "";
  return `Change log per write (${cost.engine}, SQL, one connection, median): create ${cost.create_us_with_log} µs with the log, ${cost.create_us_without_log} without (${extra(cost.create_us_with_log, cost.create_us_without_log)}); update ${cost.update_us_with_log} µs against ${cost.update_us_without_log} (${extra(cost.update_us_with_log, cost.update_us_without_log)})${rate}`;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  for (const cost of [await logCostOnPostgres(adminUrl), await logCostOnPglite()]) {
    process.stdout.write(`${describeLogCost(cost)}\n`);
  }
}
