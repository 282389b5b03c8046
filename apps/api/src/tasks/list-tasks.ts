import { and, eq, getTableColumns, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Database, statementName } from "../db/client";
import { type TaskRow, taskCounts, tasks } from "../db/tasks-schema";
import {
  cappedTotal,
  countThroughIndex,
  exactly,
  LIST_BUDGET,
  type ListBudget,
  type TaskCounters,
  type TaskTotal,
  totalFromLook,
} from "./count-tasks";
import type { Cursor } from "./cursor";
import { type DriverTaskRow, taskFromDriver } from "./driver-row";
import {
  afterCursor,
  filterShapeOf,
  filtersOf,
  isFiltered,
  type ListValues,
  listValues,
  live,
  orderOf,
  searchCandidatesOf,
  searchUsesIndex,
  shapeOf,
  sortKeyOf,
  value,
} from "./list-sql";
import { statementOf } from "./shaped-statements";
import type { ListQuery } from "./tasks.schemas";

// A page of the list, with every query owner-scoped. Unfiltered, it is one range of the sort's
// index. Filtered, the cost of a page must not grow with the user's tasks, whatever the filters
// match (decision 025): the rows are read in sort order for at most `budget.window` rows, and
// only if those hold less than a page of matches does an index find the matches instead.
// Each statement is built once per shape of the list, its values bound by name (decision 043).

export interface TaskPage {
  tasks: TaskRow[];
  total: TaskTotal;
  next: Cursor | undefined;
}

type Row = TaskRow & { sortValue: string | null; matches?: number | null };

/** A row of the list's statements as the driver answers it (driver-row.ts). */
type DriverRow = DriverTaskRow & {
  sort_value: string | null;
  matches?: number | null;
  /** Where the window ended (windowEndOf): its last row's sort key as text, and its id. */
  window_end?: [string | null, string] | null;
};

const rowsOf = (rows: unknown[]): Row[] =>
  (rows as DriverRow[]).map((row) =>
    Object.assign(taskFromDriver(row), { sortValue: row.sort_value, matches: row.matches }),
  );

const columns = getTableColumns(tasks);

const owned = (cursor: Cursor | undefined, ...more: (SQL | undefined)[]) =>
  and(eq(tasks.userId, value("userId")), live, cursor && afterCursor(cursor), ...more);

/**
 * Unfiltered: the sort's index range from the cursor on (bench/bare-sql.ts copies the first
 * page's SQL). The first page (every app load asks for it) is a named statement, one per sort and
 * order, as the single-task routes (decision 031): always the same index range, so a generic plan
 * is as good as a custom one.
 */
async function inOrder(
  db: Database,
  query: ListQuery,
  cursor: Cursor | undefined,
  values: ListValues,
): Promise<Counted> {
  const build = () => {
    const key = sortKeyOf(query.sort);
    const page = db
      .select({ ...columns, sortValue: sql<string | null>`(${key})::text`.as("sort_value") })
      .from(tasks)
      .where(owned(cursor))
      .orderBy(...orderOf(query, key, tasks.id))
      .limit(value("pageLimit"));
    return withCounters(db, page, pageFields);
  };
  const shape = shapeOf(query, cursor);
  const name = cursor ? "" : statementName(db, `task_list_${query.sort}_${query.order}`);
  return countedRows(await statementOf(db, `in order ${shape}`, build, name).all(values));
}

/** The window's rows, and the first page of its matches, read in subqueries of these names. */
const windowRows = alias(tasks, "window");
const matchedRows = alias(tasks, "matched");

/**
 * The next `window` rows in sort order, and the first page of those that match, each with how many
 * of them match, up to the count's cap (for X-Total-Count): one statement, one reading of the
 * window (decision 042), with the counters (withCounters). The LIMIT inside bounds the reading
 * whatever the filters; the filters outside cannot be pushed below it. A search no index can
 * narrow also reads where the window ended (windowEndOf).
 */
function inWindow(query: ListQuery, cursor: Cursor | undefined, db: Database) {
  const key = sortKeyOf(query.sort);
  // The planner knows the window's rows come sorted, and stops after enough matches, only if the
  // ORDER BY names the first of the window's columns that holds the key: the column itself, or
  // sort_key for lower(title).
  const orderIn = (name: "window" | "matched") => {
    const rows = name === "window" ? windowRows : matchedRows;
    const rowsKey =
      query.sort === "title" ? sql`${sql.identifier(name)}.sort_key` : sortKeyOf(query.sort, rows);
    return sql.join(orderOf(query, rowsKey, rows.id), sql`, `);
  };
  const page = sql`(
    select matched.*, (matched.sort_key)::text as sort_value,
           count(*) over ()::int as matches
    from (
      select "window".* from (
        select ${taskColumnList}, ${key} as sort_key from ${tasks}
        where ${owned(cursor, filtersOf(query, tasks).range)}
        order by ${sql.join(orderOf(query, key, tasks.id), sql`, `)}
        limit ${value("window")}
      ) as "window"
      where ${filtersOf(query, windowRows, { forGenericPlan: true }).rest ?? sql`true`}
      order by ${orderIn("window")}
      limit ${value("matchLimit")}
    ) as matched
    order by ${orderIn("matched")}
    limit ${value("pageLimit")}
  )`;
  const fields = searchUsesIndex(query.q)
    ? matchFields
    : { ...matchFields, windowEnd: windowEndOf(query, cursor) };
  return withCounters(db, page, fields);
}

/**
 * The window's last row, `[sort key as text, id]`, or null when the window reached the end: where
 * the next page begins when no index can find the matches after the window. Read in the window's
 * statement, so from its snapshot (decision 048): read apart, a task added or removed in between
 * moved the cursor, and the next page repeated or skipped a task. Only when there is a next page
 * and the page is not full (then the cursor comes from its last row): the subquery is an InitPlan,
 * run when first needed.
 */
function windowEndOf(query: ListQuery, cursor: Cursor | undefined) {
  const key = sortKeyOf(query.sort);
  // From the first task, a window as large as the user's tasks held them all: no next page.
  const beyond = cursor ? sql`` : sql` and counted.total > ${value("window")}`;
  return sql`case when coalesce(r.matches, 0) < ${value("pageLimit")}${beyond} then (
    select array[(${key})::text, ${tasks.id}::text] from ${tasks}
    where ${owned(cursor, filtersOf(query, tasks).range)}
    order by ${sql.join(orderOf(query, key, tasks.id), sql`, `)}
    offset ${value("windowLast")} limit 1
  ) end`.as("window_end");
}

/**
 * All the matches after the cursor, found through an index (search keys, tags, due date,
 * priority, status), then the first page of them in sort order; if `counted`, also how many
 * there are (to the cap and one more), from the same index scan (decision 040). MATERIALIZED plans
 * them as a whole: with the LIMIT in view, the planner would walk the sort's index again, row by
 * row. No rows: no matches, so a count of 0.
 */
function throughIndex(
  query: ListQuery,
  cursor: Cursor | undefined,
  counted: boolean,
  db: Database,
) {
  const key = sortKeyOf(query.sort);
  const order = sql.join(orderOf(query, sql`sort_key`, sql`id`), sql`, `);
  const matches = sql`matches as materialized (
      select ${tasks.id} as id, ${key} as sort_key from ${tasks}
      where ${owned(cursor, searchCandidatesOf(query), filtersOf(query, tasks).all)}
    )`;
  const count = counted
    ? sql`(select count(*)::int from (select 1 from matches limit ${value("countLimit")}) as capped)`
    : sql`null::int`;
  return db.select(matchFields).from(sql`(
    with ${matches}
    select ${taskColumnList}, (${key})::text as sort_value, ${count} as matches from ${tasks}
    where ${eq(tasks.userId, value("userId"))}
      and ${tasks.id} in (select id from matches order by ${order} limit ${value("pageLimit")})
    order by ${sql.join(orderOf(query, key, tasks.id), sql`, `)}
  ) as r`);
}

const taskColumnList = sql.join(
  Object.values(columns).map((column) => sql`${column}`),
  sql`, `,
);

/** The columns of a page's statement (`all()` answers them by these names). */
const pageFields = {
  ...Object.fromEntries(
    Object.values(columns).map((column) => [column.name, sql`r.${sql.identifier(column.name)}`]),
  ),
  sortValue: sql`r.sort_value`,
};

/** A page's columns, and how many tasks match (null where the statement does not count). */
const matchFields = { ...pageFields, matches: sql`r.matches` };

/**
 * The rows of `page` (a parenthesised subquery of `fields`' columns, read as `r`), each with the
 * user's counters read in the same statement, so from the same snapshot (decision 046); without
 * rows, one row of the counters alone, its task columns null. Read apart, a task added or removed
 * between the two reads made a filtered list take a window that had missed the oldest task for
 * one that held them all, and skip that task. The rows keep the page's order without an outer
 * ORDER BY: a join `on true` can only be a nested loop, whose outer side is the one row of
 * counters, and the inner side is read in its own order.
 */
function withCounters(db: Database, page: SQLWrapper, fields: Record<string, SQL | SQL.Aliased>) {
  const counters = { total: sql`counted.total`, done: sql`counted.done` };
  return db.select({ ...fields, ...counters }).from(sql`(
    select coalesce(max(${taskCounts.total}), 0) as total,
           coalesce(max(${taskCounts.completed}), 0) as done
    from ${taskCounts} where ${eq(taskCounts.userId, value("userId"))}
  ) as counted left join ${page} as r on true`);
}

/** A statement of withCounters, answered: the counters, the task rows and where a window ended. */
interface Counted {
  counters: TaskCounters;
  rows: Row[];
  windowEnd?: DriverRow["window_end"];
}

type CountedRow = Partial<DriverRow> & { total: number; done: number };

function countedRows(answer: unknown[]): Counted {
  const [first] = answer as CountedRow[];
  const counters = { tasks: first?.total ?? 0, completed: first?.done ?? 0 };
  return { counters, rows: first?.id == null ? [] : rowsOf(answer), windowEnd: first?.window_end };
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
  const values = listValues(userId, query, cursor, budget);
  if (!isFiltered(query)) {
    const { rows, counters } = await inOrder(db, query, cursor, values);
    return pageOf(query, rows, exactly(counters.tasks));
  }
  return filteredList(db, query, cursor, budget, values);
}

/**
 * The filters of the windows kept as named statements, one plan per connection (decision 052):
 * the status tabs and the search box, on a list's first page, in any sort. Postgres plans the
 * others for each request: each named statement holds about 170 kB of a connection's memory, and
 * the shapes number in thousands (shaped-statements.ts).
 */
const NAMED_WINDOW_FILTERS = new Set(["status", "q-indexed", "status_q-indexed"]);

/**
 * A window reads the sort's index range whatever the values, and only its filters differ, so one
 * plan serves every request of its shape. Planning it took 0.2–0.3 ms of the database's time on
 * each request (decision 052).
 */
function windowStatementName(db: Database, query: ListQuery, cursor: Cursor | undefined) {
  const filters = filterShapeOf(query).split(",").filter(Boolean).join("_");
  if (cursor || !NAMED_WINDOW_FILTERS.has(filters)) return "";
  return statementName(db, `task_window_${query.sort}_${query.order}_${filters}`);
}

/**
 * A filtered list. A page of matches in the window is the page; so is a window that held every
 * task. Otherwise an index finds the matches; a search no index can narrow answers what the
 * window held, with a cursor after the window (a page may then be short, even empty). When the
 * index must find the page and count the matches too, one statement does both (decision 040).
 */
async function filteredList(
  db: Database,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget,
  values: ListValues,
): Promise<TaskPage> {
  const shape = shapeOf(query, cursor);
  const run = async (key: string, build: () => ReturnType<typeof throughIndex>) =>
    rowsOf(await statementOf(db, `${key} ${shape}`, build).all(values));
  const window = statementOf(
    db,
    `window ${shape}`,
    () => inWindow(query, cursor, db),
    windowStatementName(db, query, cursor),
  );
  const { rows, counters, windowEnd } = countedRows(await window.all(values));
  const look = { ...counters, windowMatches: rows[0]?.matches ?? 0, fromStart: !cursor };
  const known = totalFromLook(query, look, budget);
  const windowIsPage = rows.length > query.limit || (!cursor && look.tasks <= budget.window);
  const counting = () => countThroughIndex(db, query, values, budget.countCap);
  if (windowIsPage || !searchUsesIndex(query.q)) {
    const [endValue = null, endId] = windowEnd ?? [];
    const resumeAt =
      windowIsPage || endId === undefined
        ? undefined
        : { sort: query.sort, order: query.order, value: endValue, id: Number(endId) };
    return pageOf(query, rows, known ?? (await counting()), resumeAt);
  }
  if (known === undefined && !cursor) {
    const found = await run("index counted", () => throughIndex(query, cursor, true, db));
    const total = cappedTotal(found[0]?.matches ?? 0, budget.countCap);
    return pageOf(query, found, total);
  }
  const [found, total] = await Promise.all([
    run("index", () => throughIndex(query, cursor, false, db)),
    known ?? counting(),
  ]);
  return pageOf(query, found, total);
}
