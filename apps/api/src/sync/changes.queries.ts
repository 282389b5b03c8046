import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { EventRow } from "./event-json";

/** Both drivers (node-postgres and PGlite) answer `execute` with `{ rows }`. */
async function rowsOf<T>(db: Database, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

// Every query here takes the owner's id: one user's events are never read for another.

export interface ChangeRead {
  /** The user's newest seq (0 before their first write). */
  current: number;
  /** Events up to here were pruned: a client further behind must reload (410). */
  prunedThrough: number;
  /** Events after `since`, oldest first, at most `limit`. */
  events: EventRow[];
}

interface ChangeReadRow extends Partial<EventRow> {
  current: number;
  pruned_through: number;
}

/**
 * The user's position and the events after `since`, in ONE statement, so that both come from the
 * same snapshot: a prune committing in between cannot make a page skip events while the check
 * against `pruned_through` still passes.
 */
export async function readChanges(
  db: Database,
  userId: string,
  since: number,
  limit: number,
): Promise<ChangeRead> {
  const rows = await rowsOf<ChangeReadRow>(
    db,
    sql`
    select coalesce(s.seq, 0)::float8 as current,
      coalesce(s.pruned_through, 0)::float8 as pruned_through,
      e.seq::float8 as seq, e.task_id, e.op, e.version, e.task, e.changed,
      to_jsonb(e.at) as at
    from (select 1) as one
    left join user_sync as s on s.user_id = ${userId}
    left join lateral (
      select * from task_events
      where user_id = ${userId} and seq > ${since}
      order by seq limit ${limit}
    ) as e on true
    order by e.seq`,
  );
  const first = rows[0];
  return {
    current: Number(first?.current ?? 0),
    prunedThrough: Number(first?.pruned_through ?? 0),
    events: rows.filter((row): row is ChangeReadRow & EventRow => row.seq != null),
  };
}

/** The newest seq of each of these users that has written anything: the hub's one poll query. */
export async function latestSeqs(db: Database, userIds: string[]): Promise<Map<string, number>> {
  const rows = await rowsOf<{ user_id: string; seq: number }>(
    db,
    sql`select user_id, seq::float8 as seq from user_sync
      where user_id = any(${sql.param(userIds)}::text[])`,
  );
  return new Map(rows.map((row) => [row.user_id, Number(row.seq)]));
}
