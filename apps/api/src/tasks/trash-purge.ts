import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import { type Database, inTransaction } from "../db/client";
import { loggableError } from "../http/loggable-error";

// The automatic purge of the trash (decision 039): tasks in the trash longer than
// TRASH_RETENTION_DAYS are deleted for good, by the server itself, on a timer.

/** Any fixed number (see db/migrate.ts for its neighbours): one replica purges at a time. */
const TRASH_PURGE_LOCK_ID = 7_412_903_313;

export const TRASH_PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** Tasks deleted by one statement: a short transaction, one user's rows only. */
export const TRASH_PURGE_BATCH = 500;
/** Statements in one round; what is left waits for the next round. */
const MAX_BATCHES_PER_ROUND = 200;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The rows of `execute`, typed only as `unknown` on a Database of either driver (both have them). */
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/**
 * One batch, in a transaction of its own: at most `batch` expired tasks of one user, the user
 * with the first expired task found. One user per statement, because the change-log trigger bumps
 * the owner's user_sync row (decision 035): a statement over many users would lock their rows in
 * whatever order it met them, and could deadlock with another such statement; and a short
 * transaction holds that row, and so the user's own writes, only briefly. Answers undefined when
 * another replica holds the purge lock (it is purging now), else whose tasks and how many it
 * deleted.
 */
async function purgeBatch(db: Database, cutoff: Date, batch: number) {
  return inTransaction(db, async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(${TRASH_PURGE_LOCK_ID}) as locked`),
    );
    if (!lock?.locked) return undefined;
    const expiredBefore = cutoff.toISOString();
    // Both reads walk tasks_user_trash_idx, which holds trashed rows only.
    const deleted = await tx.execute(sql`
      with doomed as (
        select id from tasks
        where user_id = (
            select user_id from tasks where deleted_at < ${expiredBefore}::timestamptz limit 1
          )
          and deleted_at < ${expiredBefore}::timestamptz
        limit ${batch}
      )
      delete from tasks where id in (select id from doomed) returning user_id`);
    const rows = rowsOf<{ user_id: string }>(deleted);
    return { owner: rows[0]?.user_id, count: rows.length };
  });
}

/**
 * Deletes for good the tasks that went to the trash before `cutoff`, batch by batch, until none is
 * left, another replica is found purging, `shouldStop` says so, or MAX_BATCHES_PER_ROUND. After
 * each batch has committed, `purged` hears whose tasks went, as after a user's own write
 * (decision 047): their live streams show the trash without them. Returns how many it deleted.
 */
export async function purgeExpiredTrash(
  db: Database,
  cutoff: Date,
  options: { batch?: number; shouldStop?: () => boolean; purged?: (owner: string) => void } = {},
): Promise<number> {
  const batch = options.batch ?? TRASH_PURGE_BATCH;
  let purged = 0;
  for (let round = 0; round < MAX_BATCHES_PER_ROUND; round++) {
    if (options.shouldStop?.()) break;
    const deleted = await purgeBatch(db, cutoff, batch);
    if (!deleted?.owner) break;
    purged += deleted.count;
    options.purged?.(deleted.owner);
  }
  return purged;
}

export interface TrashPurgeOptions {
  retentionDays: number;
  logger: Logger;
  /** Told whose tasks a batch purged, once it has committed (the live streams' ChangeSignal). */
  purged?: (owner: string) => void;
  intervalMs?: number;
  /** The clock; tests move it forward instead of waiting 30 days. */
  now?: () => number;
}

/**
 * Purges the expired trash now and then every `intervalMs` (hourly). Safe on any number of
 * replicas: a round that finds another replica purging leaves it the work. The timer keeps no
 * process alive; returns a function that stops it (call before closing the database).
 */
export function purgeTrashRegularly(db: Database, options: TrashPurgeOptions): () => void {
  const now = options.now ?? Date.now;
  let stopped = false;
  let running = false;
  const round = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const cutoff = new Date(now() - options.retentionDays * DAY_MS);
      const purged = await purgeExpiredTrash(db, cutoff, {
        shouldStop: () => stopped,
        purged: options.purged,
      });
      if (purged > 0)
        options.logger.info({ purged, cutoff }, "purged expired tasks from the trash");
    } catch (error) {
      // The database may be down for a while: the next round tries again.
      if (!stopped)
        options.logger.warn({ err: loggableError(error) }, "trash purge failed; retrying later");
    } finally {
      running = false;
    }
  };
  void round();
  const timer = setInterval(round, options.intervalMs ?? TRASH_PURGE_INTERVAL_MS);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
