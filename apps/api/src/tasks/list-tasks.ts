import { type AnyColumn, and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import { countTasks, LIST_BUDGET, type ListBudget, type TaskTotal } from "./count-tasks";
import type { Cursor } from "./cursor";
import {
  afterCursor,
  filtersOf,
  isFiltered,
  orderOf,
  searchUsesIndex,
  sortKeyOf,
} from "./list-sql";
import type { ListQuery } from "./tasks.schemas";

// A page of the list, owner-scoped, in one statement next to the count's (count-tasks.ts).
// Unfiltered, it is one range of the sort's index. Filtered, its cost must not grow with the
// user's tasks, whatever the filters match (decision 025): the rows are read in sort order for at
// most `budget.window` rows, and only if those hold less than a page of matches (and are not all
// there is) does an index find the matches instead.

export interface TaskPage {
  tasks: TaskRow[];
  total: TaskTotal;
  next: Cursor | undefined;
}

type Row = TaskRow & { sortValue: string | null };

const columns = getTableColumns(tasks);

const owned = (userId: string, cursor: Cursor | undefined, ...more: (SQL | undefined)[]) =>
  and(eq(tasks.userId, userId), cursor && afterCursor(cursor), ...more);

/** Unfiltered: the sort's index range from the cursor on (bench/bare-sql.ts copies this SQL). */
function inOrder(db: Database, userId: string, query: ListQuery, cursor: Cursor | undefined) {
  const key = sortKeyOf(query.sort);
  return db
    .select({ ...columns, sortValue: sql<string | null>`(${key})::text` })
    .from(tasks)
    .where(owned(userId, cursor))
    .orderBy(...orderOf(query, key, tasks.id))
    .limit(query.limit + 1);
}

/** The rows read in order, and the statement's result, in subqueries of these names. */
const walked = alias(tasks, "walked");
const page = alias(tasks, "page");
const walkedName = sql.identifier("walked");
const pageName = sql.identifier("page");

/** The task columns of the statement's result, read into a TaskRow as Drizzle reads the table. */
const pageColumns = Object.fromEntries(
  Object.entries(columns).map(([key, column]) => [
    key,
    sql`${pageName}.${sql.identifier(column.name)}`.mapWith(column),
  ]),
) as { [K in keyof TaskRow]: SQL<TaskRow[K]> };

/**
 * A filtered page, in one statement of two branches, of which Postgres runs only what it needs
 * (each condition on `found` is evaluated once, and only when reached):
 *
 * 1. `found`: of the next `window` rows in sort order (the LIMIT inside bounds the reading; the
 *    filters outside cannot be pushed below it), the first `limit + 1` that match. The answer if
 *    they fill a page, or if the window held every row left.
 * 2. Otherwise, for filters an index can serve: all the matches after the cursor, found through
 *    that index (trigram, tags, due date, priority, status) and MATERIALIZED, i.e. planned as a
 *    whole (with the LIMIT in view, the planner would walk the sort's index again, row by row),
 *    then the first `limit + 1` of them. These are few: the window held less than a page.
 *    For a search no index can narrow: the window's last row, marked `edge`, where the next page
 *    starts; the page holds what the window found, maybe less than `limit`, maybe nothing.
 */
async function filteredPage(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget,
): Promise<{ rows: Row[]; resumeAt?: Cursor }> {
  const key = sortKeyOf(query.sort);
  const order = (by: SQL = key, id: AnyColumn | SQL = tasks.id) =>
    sql.join(orderOf(query, by, id), sql`, `);
  const { range, all } = filtersOf(query, tasks);
  const ahead = owned(userId, cursor, range);
  // Postgres sees that the window's rows come sorted, and stops after a page of matches, only if
  // found's ORDER BY names the first of the walked columns that holds the key: the column
  // itself, or sort_key for lower(title).
  const walkedKey =
    query.sort === "title" ? sql`${walkedName}.sort_key` : sortKeyOf(query.sort, walked);
  const full = sql`(select count(*) from found) > ${query.limit}`;
  const covered = sql`(select count(*) from (
      select 1 from ${tasks} where ${ahead} limit ${budget.window}
    ) as rest) < ${budget.window}`;
  const second = searchUsesIndex(query.q)
    ? sql`select ${tasks}.*, ${key} as sort_key, (${key})::text as sort_value, false as edge
      from ${tasks}
      where ${eq(tasks.userId, userId)} and ${tasks.id} in (
        with matches as materialized (
          select ${tasks.id} as id, ${key} as sort_key from ${tasks}
          where ${owned(userId, cursor, all)}
        )
        select id from matches order by ${order(sql`sort_key`, sql`id`)} limit ${query.limit + 1}
      ) and not (${full}) and not (${covered})`
    : sql`select * from (
        select ${tasks}.*, ${key} as sort_key, (${key})::text as sort_value, true as edge
        from ${tasks} where ${ahead}
        order by ${order()} offset ${budget.window - 1} limit 1
      ) as edge where not (${full})`;
  const first = searchUsesIndex(query.q) ? sql`where ${full} or ${covered}` : sql``;
  const statement = sql`
    with found as (
      select ${walkedName}.*, (${walkedName}.sort_key)::text as sort_value, false as edge
      from (
        select ${tasks}.*, ${key} as sort_key from ${tasks} where ${ahead}
        order by ${order()} limit ${budget.window}
      ) as ${walkedName}
      where ${filtersOf(query, walked).rest ?? sql`true`}
      order by ${order(walkedKey, walked.id)} limit ${query.limit + 1}
    )
    select * from found ${first}
    union all
    ${second}`;
  const result = await db
    .select({
      ...pageColumns,
      sortValue: sql<string | null>`${pageName}.sort_value`,
      edge: sql<boolean>`${pageName}.edge`,
    })
    .from(sql`(${statement}) as ${pageName}`)
    .orderBy(...orderOf(query, sortKeyOf(query.sort, page), page.id));
  const edge = result.find((row) => row.edge);
  return {
    rows: result.filter((row) => !row.edge),
    resumeAt: edge && { sort: query.sort, order: query.order, value: edge.sortValue, id: edge.id },
  };
}

function pageOf(query: ListQuery, rows: Row[], total: TaskTotal, resumeAt?: Cursor): TaskPage {
  const shown = rows.slice(0, query.limit);
  const last = shown.at(-1);
  const next =
    rows.length > query.limit && last
      ? { sort: query.sort, order: query.order, value: last.sortValue, id: last.id }
      : resumeAt;
  return { tasks: shown.map(({ sortValue: _sortValue, ...task }) => task), total, next };
}

/** The page and X-Total-Count: two statements, side by side. */
export async function listTasks(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget = LIST_BUDGET,
): Promise<TaskPage> {
  if (!isFiltered(query)) {
    const [rows, total] = await Promise.all([
      inOrder(db, userId, query, cursor),
      countTasks(db, userId, query, budget),
    ]);
    return pageOf(query, rows, total);
  }
  const [{ rows, resumeAt }, total] = await Promise.all([
    filteredPage(db, userId, query, cursor, budget),
    countTasks(db, userId, query, budget),
  ]);
  return pageOf(query, rows, total, resumeAt);
}
