import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import { loggableError } from "../http/loggable-error";

/** How often the server prunes events older than SYNC_RETENTION_DAYS. */
export const PRUNE_INTERVAL_MS = 60 * 60_000;
/** The first prune waits this long after start, out of the way of start-up. */
const FIRST_PRUNE_DELAY_MS = 60_000;
/** Events deleted per statement: short transactions, short row locks on user_sync. */
const PRUNE_BATCH = 5_000;
const DAY_MS = 24 * 60 * 60_000;

/**
 * Deletes events older than `olderThan`, a batch per statement, and raises each owner's
 * `pruned_through` to the newest seq deleted, in the same statement: a reader can never find an
 * event missing below `pruned_through` without being told (410). Safe on every replica at once:
 * each takes the rows the others have not locked, and `greatest` only ever raises the mark.
 * Returns how many events were deleted.
 */
export async function pruneEvents(
  db: Database,
  olderThan: Date,
  batch = PRUNE_BATCH,
): Promise<number> {
  let total = 0;
  for (;;) {
    const result = (await db.execute(sql`
      with doomed as (
        select user_id, seq from task_events
        where at < ${olderThan.toISOString()}::timestamptz
        order by at limit ${batch}
        for update skip locked
      ), gone as (
        delete from task_events as e using doomed as d
        where e.user_id = d.user_id and e.seq = d.seq
        returning e.user_id, e.seq
      ), raised as (
        update user_sync as s set pruned_through = greatest(s.pruned_through, g.through)
        from (select user_id, max(seq) as through from gone group by user_id) as g
        where s.user_id = g.user_id
        returning 1
      )
      select (select count(*) from gone)::int as pruned`)) as unknown as {
      rows: { pruned: number }[];
    };
    const pruned = Number(result.rows[0]?.pruned ?? 0);
    total += pruned;
    if (pruned < batch) return total;
  }
}

/** Prunes the change log on a timer (SYNC_RETENTION_DAYS); returns the function that stops it. */
export function keepEventsPruned(
  db: Database,
  options: { retentionDays: number; logger: Logger },
): () => void {
  const prune = () =>
    pruneEvents(db, new Date(Date.now() - options.retentionDays * DAY_MS))
      .then((pruned) => {
        if (pruned > 0) options.logger.info({ pruned }, "pruned old change events");
      })
      .catch((error: unknown) => {
        options.logger.warn({ err: loggableError(error) }, "pruning change events failed");
      });
  let interval: NodeJS.Timeout | undefined;
  const first = setTimeout(() => {
    void prune();
    interval = setInterval(prune, PRUNE_INTERVAL_MS);
    interval.unref();
  }, FIRST_PRUNE_DELAY_MS);
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(interval);
  };
}
