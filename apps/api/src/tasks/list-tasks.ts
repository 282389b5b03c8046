import { and, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import { type Database, perDatabase, statementName } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import {
  countTasks,
  type FirstLook,
  firstLook,
  LIST_BUDGET,
  type ListBudget,
  type TaskTotal,
} from "./count-tasks";
import type { Cursor } from "./cursor";
import {
  afterCursor,
  filtersOf,
  isFiltered,
  live,
  orderOf,
  searchUsesIndex,
  sortKeyOf,
} from "./list-sql";
import type { ListQuery } from "./tasks.schemas";

// A page of the list, with every query owner-scoped. Unfiltered, it is one range of the sort's
// index. Filtered, the cost of a page must not grow with the user's tasks, whatever the filters
// match (decision 025): the rows are read in sort order for at most `budget.window` rows, and
// only if those hold less than a page of matches does an index find the matches instead.

export interface TaskPage {
  tasks: TaskRow[];
  total: TaskTotal;
  next: Cursor | undefined;
}

type Row = TaskRow & { sortValue: string | null };

const columns = getTableColumns(tasks);

const owned = (userId: string, cursor: Cursor | undefined, ...more: (SQL | undefined)[]) =>
  and(eq(tasks.userId, userId), live, cursor && afterCursor(cursor), ...more);

/** Unfiltered: the sort's index range from the cursor on (bench/bare-sql.ts copies this SQL). */
function inOrder(db: Database, userId: string, query: ListQuery, cursor: Cursor | undefined) {
  if (!cursor) return firstPageStatement(db, query).execute({ userId, limit: query.limit + 1 });
  const key = sortKeyOf(query.sort);
  return db
    .select({ ...columns, sortValue: sql<string | null>`(${key})::text` })
    .from(tasks)
    .where(owned(userId, cursor))
    .orderBy(...orderOf(query, key, tasks.id))
    .limit(query.limit + 1);
}

/**
 * The first page of an unfiltered list (every app load asks for it) as a named prepared
 * statement, one per sort and order, as the single-task routes (decision 031): always the same
 * index range, so a generic plan is as good as a custom one.
 */
function firstPageStatement(db: Database, query: Pick<ListQuery, "sort" | "order">) {
  const name = `task_list_${query.sort}_${query.order}`;
  const byName = firstPagesOf(db);
  let statement = byName.get(name);
  if (!statement) {
    statement = buildFirstPage(db, query, statementName(db, name));
    byName.set(name, statement);
  }
  return statement;
}

function buildFirstPage(db: Database, query: Pick<ListQuery, "sort" | "order">, name: string) {
  const key = sortKeyOf(query.sort);
  return db
    .select({ ...columns, sortValue: sql<string | null>`(${key})::text` })
    .from(tasks)
    .where(and(eq(tasks.userId, sql.placeholder("userId")), live))
    .orderBy(...orderOf(query, key, tasks.id))
    .limit(sql.placeholder("limit"))
    .prepare(name);
}

const firstPagesOf = perDatabase(() => new Map<string, ReturnType<typeof buildFirstPage>>());

/**
 * The next `window` rows in sort order, and those of them that match. The LIMIT inside bounds
 * the reading whatever the filters; the filters outside cannot be pushed below it.
 */
function inWindow(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  window: number,
) {
  const key = sortKeyOf(query.sort);
  const newest = db
    .select({ ...columns, sortKey: sql`${key}`.as("sort_key") })
    .from(tasks)
    .where(owned(userId, cursor, filtersOf(query, tasks).range))
    .orderBy(...orderOf(query, key, tasks.id))
    .limit(window)
    .as("window");
  const { sortKey, ...windowColumns } = newest._.selectedFields;
  // The planner knows the window's rows come sorted, and stops after a page of matches, only if
  // this ORDER BY names the first of the window's columns that holds the key: the column itself,
  // or sort_key for lower(title).
  const outerKey = query.sort === "title" ? sql`${sortKey}` : sortKeyOf(query.sort, windowColumns);
  return db
    .select({ ...windowColumns, sortValue: sql<string | null>`(${sortKey})::text` })
    .from(newest)
    .where(filtersOf(query, windowColumns).rest)
    .orderBy(...orderOf(query, outerKey, windowColumns.id))
    .limit(query.limit + 1);
}

/**
 * All the matches after the cursor, found through an index (trigram, tags, due date, priority,
 * status), then the first page of them in sort order. MATERIALIZED plans them as a whole: with
 * the LIMIT in view, the planner would walk the sort's index again, row by row.
 */
function throughIndex(db: Database, userId: string, query: ListQuery, cursor: Cursor | undefined) {
  const key = sortKeyOf(query.sort);
  const order = sql.join(orderOf(query, sql`sort_key`, sql`id`), sql`, `);
  const firstMatches = sql`(
    with matches as materialized (
      select ${tasks.id} as id, ${key} as sort_key from ${tasks}
      where ${owned(userId, cursor, filtersOf(query, tasks).all)}
    )
    select id from matches order by ${order} limit ${query.limit + 1}
  )`;
  return db
    .select({ ...columns, sortValue: sql<string | null>`(${key})::text` })
    .from(tasks)
    .where(and(eq(tasks.userId, userId), inArray(tasks.id, firstMatches)))
    .orderBy(...orderOf(query, key, tasks.id));
}

/** Where the window ends: the position after its last row, or undefined when it reached the end. */
async function windowEnd(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  window: number,
): Promise<Cursor | undefined> {
  const key = sortKeyOf(query.sort);
  const [last] = await db
    .select({ id: tasks.id, value: sql<string | null>`(${key})::text` })
    .from(tasks)
    .where(owned(userId, cursor, filtersOf(query, tasks).range))
    .orderBy(...orderOf(query, key, tasks.id))
    .offset(window - 1)
    .limit(1);
  return last && { sort: query.sort, order: query.order, value: last.value, id: last.id };
}

/**
 * The page of a filtered list. A page of matches in the window is the answer; so is a window that
 * held every task. Otherwise an index finds the matches; a search no index can narrow answers
 * what the window held, with a cursor after the window (a page may then be short, even empty).
 */
async function filteredPage(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  looking: Promise<FirstLook>,
  window: number,
): Promise<{ rows: Row[]; resumeAt?: Cursor }> {
  const rows = await inWindow(db, userId, query, cursor, window);
  if (rows.length > query.limit) return { rows };
  if (!cursor && (await looking).tasks <= window) return { rows };
  if (searchUsesIndex(query.q)) return { rows: await throughIndex(db, userId, query, cursor) };
  return { rows, resumeAt: await windowEnd(db, userId, query, cursor, window) };
}

function pageOf(query: ListQuery, rows: Row[], total: TaskTotal, resumeAt?: Cursor): TaskPage {
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next =
    rows.length > query.limit && last
      ? { sort: query.sort, order: query.order, value: last.sortValue, id: last.id }
      : resumeAt;
  // The rows keep their sortValue: toTaskJson reads only the task's fields, and a copy of each row
  // without it cost an object per task (decision 041).
  return { tasks: page, total, next };
}

export async function listTasks(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget = LIST_BUDGET,
): Promise<TaskPage> {
  if (!isFiltered(query)) {
    const [rows, look] = await Promise.all([
      inOrder(db, userId, query, cursor),
      firstLook(db, userId, query, budget),
    ]);
    return pageOf(query, rows, await countTasks(db, userId, query, look, budget));
  }
  const looking = firstLook(db, userId, query, budget);
  const [{ rows, resumeAt }, total] = await Promise.all([
    filteredPage(db, userId, query, cursor, looking, budget.window),
    looking.then((look) => countTasks(db, userId, query, look, budget)),
  ]);
  return pageOf(query, rows, total, resumeAt);
}
