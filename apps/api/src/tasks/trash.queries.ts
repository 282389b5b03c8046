import { and, eq, isNotNull, sql } from "drizzle-orm";
import { type Database, perDatabase, statementName } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import { problems } from "../http/problem";
import { bump } from "./task-statements";
import { TASK_NOT_FOUND } from "./tasks.queries";
import type { TrashCursor } from "./trash-cursor";

// The trash (decision 039): tasks whose deleted_at is set. Every statement names the owner, as in
// tasks.queries.ts, and is a named prepared statement, as in task-statements.ts (decision 031).
// The trash's pages and purges read tasks_user_trash_idx, which holds trashed rows only.

const p = sql.placeholder;
const trashed = isNotNull(tasks.deletedAt);
const ownedTask = and(eq(tasks.userId, p("userId")), eq(tasks.id, p("id")));
const versionIn = sql`${tasks.version} = any(${p("versions")})`;

function build(db: Database) {
  const named = (name: string) => statementName(db, name);
  const page = (after: boolean, name: string) =>
    db
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.userId, p("userId")),
          trashed,
          after
            ? sql`(${tasks.deletedAt}, ${tasks.id}) < (${p("deletedAt")}::timestamptz, ${p("id")})`
            : undefined,
        ),
      )
      // NULLS LAST as in the index (Postgres' DESC default is NULLS FIRST): else it sorts again.
      .orderBy(sql`${tasks.deletedAt} desc nulls last`, sql`${tasks.id} desc nulls last`)
      .limit(p("limit"))
      .prepare(named(name));
  const restore = (conditional: boolean, name: string) =>
    db
      .update(tasks)
      .set({ deletedAt: sql`null`, ...bump })
      .where(and(ownedTask, trashed, conditional ? versionIn : undefined))
      .returning()
      .prepare(named(name));
  return {
    firstPage: page(false, "trash_first_page"),
    nextPage: page(true, "trash_next_page"),
    restore: restore(false, "trash_restore"),
    restoreIfMatch: restore(true, "trash_restore_if_match"),
    /** The task whatever its state: live, in the trash, or (no row) never or no longer there. */
    anyState: db.select().from(tasks).where(ownedTask).prepare(named("task_any_state")),
    purgeOne: db
      .delete(tasks)
      .where(and(ownedTask, trashed))
      .returning({ id: tasks.id })
      .prepare(named("trash_purge_one")),
    purgeAll: db
      .delete(tasks)
      .where(and(eq(tasks.userId, p("userId")), trashed))
      .returning({ id: tasks.id })
      .prepare(named("trash_purge_all")),
  };
}

export const trashStatementsOf = perDatabase(build);

export interface TrashPage {
  tasks: TaskRow[];
  next: TrashCursor | undefined;
}

/** One page of the trash, newest deleted first. */
export async function listTrash(
  db: Database,
  userId: string,
  limit: number,
  cursor: TrashCursor | undefined,
): Promise<TrashPage> {
  const statements = trashStatementsOf(db);
  const rows = await (cursor
    ? statements.nextPage.execute({ userId, limit: limit + 1, ...cursor })
    : statements.firstPage.execute({ userId, limit: limit + 1 }));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next =
    rows.length > limit && last?.deletedAt
      ? { deletedAt: last.deletedAt.toISOString(), id: last.id }
      : undefined;
  return { tasks: page, next };
}

const notFound = () => problems.notFound(TASK_NOT_FOUND);

/**
 * Brings a task back from the trash. A task that is already live is answered as it is: a restore
 * that was already applied succeeds again (RFC 9110 §13.1.1 allows a 2xx when the change an
 * If-Match guards is already in place), so a retry after a lost answer is harmless.
 */
export async function restoreTask(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
): Promise<TaskRow> {
  const statements = trashStatementsOf(db);
  const [restored] = await (versions === undefined
    ? statements.restore.execute({ userId, id })
    : statements.restoreIfMatch.execute({ userId, id, versions }));
  if (restored) return restored;
  const [current] = await statements.anyState.execute({ userId, id });
  if (!current) throw notFound();
  if (current.deletedAt === null) return current;
  throw problems.preconditionFailed("The task has changed since you read it (If-Match).");
}

/** Deletes one task in the trash for good; a live task is not in the trash, so not found. */
export async function purgeTask(db: Database, userId: string, id: number): Promise<void> {
  const [row] = await trashStatementsOf(db).purgeOne.execute({ userId, id });
  if (!row) throw notFound();
}

/** Empties the user's trash; returns how many tasks were deleted for good. */
export async function emptyTrash(db: Database, userId: string): Promise<number> {
  return (await trashStatementsOf(db).purgeAll.execute({ userId })).length;
}
