import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { rateLimitCounters as counters } from "../db/rate-limit-schema";

/** At most `max` counted requests per `key` in a window of `windowSeconds` from its first one. */
export interface Limit {
  key: string;
  max: number;
  windowSeconds: number;
}

export type Verdict =
  | { allowed: true; counted: string[] }
  | { allowed: false; retryAfterSeconds: number };

/** A key's count in its current window, after `add`. */
export interface Total {
  key: string;
  count: number;
  /** Until the window ends, by the database's clock (so replicas with skewed clocks agree). */
  resetInMs: number;
}

export interface CounterStore {
  /** Counts one request against every limit, or against none when any of them is used up. */
  consume(limits: readonly Limit[]): Promise<Verdict>;
  /** Gives back one request counted by `consume` (a sign-in that succeeded). */
  refund(keys: readonly string[]): Promise<void>;
  /**
   * Adds counts that were already let through (no limit is checked) to many keys in one
   * statement, and returns every replica's total for each: how synced-memory-store.ts shares the
   * per-user task limit without a round trip per request.
   */
  add(counts: ReadonlyMap<string, number>, windowSeconds: number): Promise<Total[]>;
}

interface Row extends Record<string, unknown> {
  key: string;
  max: number;
  counted: boolean;
  count: number;
  retry_after: number;
}

/** Both drivers (node-postgres and PGlite) answer `execute` with `{ rows }`. */
async function rowsOf<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute<T>(query)) as unknown as { rows: T[] };
  return result.rows;
}

const CLEANUP_INTERVAL_MS = 60_000;
const CLEANUP_BATCH = 1_000;

/**
 * Rate-limit counters in PostgreSQL (or PGlite), so that every replica on one database shares them.
 * Fixed windows that start at a key's first request. See docs/decisions/018-sign-in-and-sign-up-limits.md.
 * Every statement that writes several rows takes their locks in key order, so that parallel
 * requests for the same keys wait for each other instead of deadlocking (decision 049).
 */
export function createCounterStore(
  db: Database,
  options: { onCleanupError?: (error: unknown) => void } = {},
): CounterStore {
  let lastCleanup = 0;

  /**
   * Expired rows would pile up otherwise: a bounded delete, at most once a minute per process. It
   * skips rows a request holds (a request may be starting a new window in one): they wait for the
   * next round.
   */
  function cleanUpSometimes() {
    if (Date.now() - lastCleanup < CLEANUP_INTERVAL_MS) return;
    lastCleanup = Date.now();
    db.execute(sql`
      delete from ${counters} where ${counters.key} in (
        select ${counters.key} from ${counters} where ${counters.resetAt} <= now()
        limit ${CLEANUP_BATCH} for update skip locked
      )`).catch((error: unknown) => options.onCleanupError?.(error));
  }

  async function refund(keys: readonly string[]) {
    if (keys.length === 0) return;
    // The rows are locked in key order by the subquery (an UPDATE alone locks them in whatever
    // order its scan meets them, which changes as rows are rewritten).
    await db.execute(sql`
      update ${counters} set count = count - 1
      where ${counters.key} in (
        select ${counters.key} from ${counters}
        where ${counters.key} in (${sql.join(
          keys.map((key) => sql`${key}`),
          sql`, `,
        )}) and count > 0 and ${counters.resetAt} > now()
        order by ${counters.key} for update
      )`);
  }

  async function consume(limits: readonly Limit[]): Promise<Verdict> {
    // One row per key (the strictest limit wins): an upsert may not touch a row twice.
    const byKey = new Map<string, Limit>();
    for (const limit of limits) {
      const seen = byKey.get(limit.key);
      if (!seen || limit.max < seen.max) byKey.set(limit.key, limit);
    }
    if (byKey.size === 0) return { allowed: true, counted: [] };
    const input = sql.join(
      [...byKey.values()].map(
        (limit) => sql`(${limit.key}::text, ${limit.max}::int, ${limit.windowSeconds}::int)`,
      ),
      sql`, `,
    );
    // One statement, one round trip. `current` reads the counters as the statement starts: when any
    // limit is used up nothing is counted, so a client refused for one key does not spend the
    // others (an attacker refused on one account keeps the address's budget for its neighbours).
    // Requests racing past that check are still caught: the upsert locks each row and returns its
    // new count, and any count over its limit refuses the request (its other counts are refunded).
    const rows = await rowsOf<Row>(
      db,
      sql`
      with input (key, max, window_seconds) as (values ${input}),
      current as (
        select i.key, i.max, i.window_seconds, c.count, c.reset_at
        from input i left join ${counters} c on c.key = i.key and c.reset_at > now()
      ),
      counted as (
        insert into ${counters} as c (key, count, reset_at)
        select key, 1, now() + make_interval(secs => window_seconds) from input
        where not exists (select 1 from current where count >= max)
        order by key
        on conflict (key) do update set
          count = case when c.reset_at <= now() then 1 else c.count + 1 end,
          reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end
        returning c.key, c.count, c.reset_at
      )
      select cur.key, cur.max, counted.key is not null as counted,
        coalesce(counted.count, cur.count, 0) as count,
        greatest(1, ceil(extract(epoch from
          coalesce(counted.reset_at, cur.reset_at, now() + make_interval(secs => cur.window_seconds))
          - now())))::int as retry_after
      from current cur left join counted on counted.key = cur.key`,
    );
    cleanUpSometimes();
    const refused = rows.filter((row) =>
      row.counted ? row.count > row.max : row.count >= row.max,
    );
    const counted = rows.filter((row) => row.counted).map((row) => row.key);
    if (refused.length === 0) return { allowed: true, counted };
    await refund(counted);
    return {
      allowed: false,
      retryAfterSeconds: Math.max(...refused.map((row) => row.retry_after)),
    };
  }

  async function add(counts: ReadonlyMap<string, number>, windowSeconds: number) {
    if (counts.size === 0) return [];
    // One JSON parameter whatever the number of keys (a VALUES list is capped by the protocol's
    // 65,535 parameters). Rows are locked in key order, so two replicas adding overlapping sets
    // at once wait for each other instead of deadlocking.
    const input = JSON.stringify([...counts].map(([key, amount]) => ({ key, amount })));
    const rows = await rowsOf<{ key: string; count: number; reset_in_ms: number }>(
      db,
      sql`
      insert into ${counters} as c (key, count, reset_at)
      select key, amount, now() + make_interval(secs => ${windowSeconds}::int)
      from json_to_recordset(${input}::json) as input (key text, amount int)
      order by key
      on conflict (key) do update set
        count = case when c.reset_at <= now() then excluded.count else c.count + excluded.count end,
        reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end
      returning c.key, c.count,
        greatest(0, ceil(extract(epoch from c.reset_at - now()) * 1000))::int as reset_in_ms`,
    );
    cleanUpSometimes();
    return rows.map((row) => ({ key: row.key, count: row.count, resetInMs: row.reset_in_ms }));
  }

  return { consume, refund, add };
}
