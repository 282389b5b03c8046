import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { type Database, perDatabase, statementName } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import {
  cappedTotal,
  countTasks,
  countThroughIndex,
  firstLook,
  LIST_BUDGET,
  type ListBudget,
  type TaskTotal,
  totalFromLook,
} from "./count-tasks";
import type { Cursor } from "./cursor";
import {
  afterCursor,
  filtersOf,
  isFiltered,
  live,
  orderOf,
  searchCandidatesOf,
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
 * All the matches after the cursor, found through an index (search keys, tags, due date,
 * priority, status), then the first page of them in sort order; with `countCap`, also how many
 * there are (to `countCap + 1`), from the same index scan (decision 040). MATERIALIZED plans them
 * as a whole: with the LIMIT in view, the planner would walk the sort's index again, row by row.
 * No rows: no matches, so a count of 0.
 */
function throughIndex(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  countCap?: number,
) {
  const key = sortKeyOf(query.sort);
  const order = sql.join(orderOf(query, sql`sort_key`, sql`id`), sql`, `);
  const matches = sql`matches as materialized (
      select ${tasks.id} as id, ${key} as sort_key from ${tasks}
      where ${owned(userId, cursor, searchCandidatesOf(userId, query), filtersOf(query, tasks).all)}
    )`;
  const counted =
    countCap === undefined
      ? sql`null::int`
      : sql`(select count(*)::int from (select 1 from matches limit ${countCap + 1}) as capped)`;
  return db.select(matchFields).from(sql`(
    with ${matches}
    select ${taskColumnList}, (${key})::text as sort_value, ${counted} as matches from ${tasks}
    where ${eq(tasks.userId, userId)}
      and ${tasks.id} in (select id from matches order by ${order} limit ${query.limit + 1})
    order by ${sql.join(orderOf(query, key, tasks.id), sql`, `)}
  ) as r`);
}

const taskColumnList = sql.join(
  Object.values(columns).map((column) => sql`${column}`),
  sql`, `,
);

/** The columns of throughIndex's statement, decoded as Drizzle decodes the table's. */
const matchFields = {
  ...(Object.fromEntries(
    Object.entries(columns).map(([field, column]) => [
      field,
      sql`r.${sql.identifier(column.name)}`.mapWith(column),
    ]),
  ) as { [Field in keyof typeof columns]: SQL<TaskRow[Field]> }),
  sortValue: sql<string | null>`r.sort_value`,
  matches: sql<number | null>`r.matches`,
};

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
  return filteredList(db, userId, query, cursor, budget);
}

const withoutCount = (rows: (Row & { matches: number | null })[]): Row[] =>
  rows.map(({ matches: _matches, ...row }) => row);

/**
 * A filtered list. A page of matches in the window is the page; so is a window that held every
 * task. Otherwise an index finds the matches; a search no index can narrow answers what the
 * window held, with a cursor after the window (a page may then be short, even empty). When the
 * index must find the page and count the matches too, one statement does both (decision 040).
 */
async function filteredList(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget,
): Promise<TaskPage> {
  const [rows, look] = await Promise.all([
    inWindow(db, userId, query, cursor, budget.window),
    firstLook(db, userId, query, budget),
  ]);
  const known = totalFromLook(query, look, budget);
  const windowIsPage = rows.length > query.limit || (!cursor && look.tasks <= budget.window);
  const counting = () => countThroughIndex(db, userId, query, budget.countCap);
  if (windowIsPage || !searchUsesIndex(query.q)) {
    const [total, resumeAt] = await Promise.all([
      known ?? counting(),
      windowIsPage ? undefined : windowEnd(db, userId, query, cursor, budget.window),
    ]);
    return pageOf(query, rows, total, resumeAt);
  }
  if (known === undefined && !cursor) {
    const found = await throughIndex(db, userId, query, cursor, budget.countCap);
    const total = cappedTotal(found[0]?.matches ?? 0, budget.countCap);
    return pageOf(query, withoutCount(found), total);
  }
  const [found, total] = await Promise.all([
    throughIndex(db, userId, query, cursor),
    known ?? counting(),
  ]);
  return pageOf(query, withoutCount(found), total);
}
