import { type AnyColumn, and, eq, gt, lt, or, type SQL, sql } from "drizzle-orm";
import { tasks } from "../db/tasks-schema";
import type { ListBudget } from "./count-tasks";
import type { Cursor } from "./cursor";
import type { ListQuery } from "./tasks.schemas";

// The pieces of the list's SQL, shared by the page and the count (list-tasks.ts, count-tasks.ts).

type Sort = ListQuery["sort"];

/**
 * The values of a list's statements, bound by name. The SQL itself depends only on which filters
 * are there and how the list is sorted (its shape, `shapeOf`), so that each shape's statements
 * are built once (list-tasks.ts, decision 043).
 */
export interface ListValues {
  userId: string;
  /** The cursor's sort key, as Postgres printed it, and its id. */
  cursorValue: string | null;
  cursorId: number;
  completed: boolean;
  q: string;
  /** `q` as a LIKE pattern. */
  pattern: string;
  priority: string;
  tag: string;
  /** ISO 8601. */
  dueBefore: string;
  dueAfter: string;
  /** A page and one more row, which tells whether there is a next page. */
  pageLimit: number;
  /** Rows read in sort order before an index is asked instead; and the offset of the last. */
  window: number;
  windowLast: number;
  /** Matches read from the window: a page's, or enough to say the count is over the cap. */
  matchLimit: number;
  /** Matches counted: one over the cap tells `cap+`. */
  countLimit: number;
}

/** A named value of ListValues in a statement. */
export const value = (name: keyof ListValues) => sql.placeholder(name);

const isoOrEmpty = (time: string | undefined) => (time ? new Date(time).toISOString() : "");

export function listValues(
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
  budget: ListBudget,
): ListValues {
  return {
    userId,
    cursorValue: cursor?.value ?? null,
    cursorId: cursor?.id ?? 0,
    completed: query.status === "completed",
    q: query.q ?? "",
    pattern: query.q ? patternOf(query.q) : "",
    priority: query.priority ?? "",
    tag: query.tag ?? "",
    dueBefore: isoOrEmpty(query.due_before),
    dueAfter: isoOrEmpty(query.due_after),
    pageLimit: query.limit + 1,
    window: budget.window,
    windowLast: budget.window - 1,
    matchLimit: Math.max(query.limit, budget.countCap) + 1,
    countLimit: budget.countCap + 1,
  };
}

/** Which filters a list has: what the SQL of a count depends on (count-tasks.ts). */
export const filterShapeOf = (query: ListQuery) =>
  [
    query.status === "all" ? "" : "status",
    query.q ? (searchUsesIndex(query.q) ? "q-indexed" : "q") : "",
    query.priority ? "priority" : "",
    query.tag ? "tag" : "",
    query.due_before ? "before" : "",
    query.due_after ? "after" : "",
  ].join(",");

/** What the SQL of a list's statements depends on; the values are bound apart (ListValues). */
export const shapeOf = (query: ListQuery, cursor: Cursor | undefined) =>
  [
    query.sort,
    query.order,
    filterShapeOf(query),
    cursor ? (cursor.value === null ? "cursor-null" : "cursor") : "",
  ].join(",");

/**
 * Live tasks only: every list and count leaves the trash out (decision 039). A filter on each row
 * read, not part of an index: the list's indexes keep their ranges, and a user's trash is small
 * (emptied after TRASH_RETENTION_DAYS).
 */
export const live = sql`${tasks.deletedAt} is null`;

/** Where the list reads a task's columns: the table, or a subquery that selected them. */
export interface TaskColumns {
  id: AnyColumn;
  title: AnyColumn;
  description: AnyColumn;
  completed: AnyColumn;
  priority: AnyColumn;
  tags: AnyColumn;
  dueDate: AnyColumn;
  createdAt: AnyColumn;
  updatedAt: AnyColumn;
}

/** Each sort's key; every one has an index that starts with the owner (tasks-schema.ts). */
export const sortKeyOf = (sort: Sort, columns: TaskColumns = tasks): SQL => {
  switch (sort) {
    case "created":
      return sql`${columns.createdAt}`;
    case "updated":
      return sql`${columns.updatedAt}`;
    case "title":
      return sql`lower(${columns.title})`;
    case "priority":
      return sql`${columns.priority}`;
    case "due_date":
      return sql`${columns.dueDate}`;
  }
};

const KEY_TYPES: Record<Sort, string> = {
  created: "timestamptz",
  updated: "timestamptz",
  title: "text",
  priority: "task_priority",
  due_date: "timestamptz",
};

/** ORDER BY the sort key and then the id, in the list's order; tasks without a due date last. */
export function orderOf(
  query: Pick<ListQuery, "sort" | "order">,
  key: SQL,
  id: AnyColumn | SQL,
): SQL[] {
  const direction = sql.raw(query.order);
  const nulls = query.sort === "due_date" ? sql` nulls last` : sql``;
  return [sql`${key} ${direction}${nulls}`, sql`${id} ${direction}`];
}

/**
 * Rows strictly after the cursor in (sort key, id) order. Tasks without a due date sort last in
 * either direction, so for due_date the null rows form their own tail ordered by id.
 */
export function afterCursor(cursor: Cursor): SQL {
  const key = sortKeyOf(cursor.sort);
  const op = sql.raw(cursor.order === "asc" ? ">" : "<");
  const cursorValue = sql`cast(${value("cursorValue")} as ${sql.raw(KEY_TYPES[cursor.sort])})`;
  const cursorId = value("cursorId");
  if (cursor.sort !== "due_date")
    return sql`(${key}, ${tasks.id}) ${op} (${cursorValue}, ${cursorId})`;
  if (cursor.value === null)
    return sql`(${tasks.dueDate} is null and ${tasks.id} ${op} ${cursorId})`;
  return sql`((${tasks.dueDate}, ${tasks.id}) ${op} (${cursorValue}, ${cursorId}) or ${tasks.dueDate} is null)`;
}

export type ListFilters = Pick<
  ListQuery,
  "status" | "q" | "priority" | "tag" | "due_before" | "due_after"
>;

/** Whether the list is narrowed by anything at all (status included). */
export const isFiltered = (query: ListFilters) =>
  query.status !== "all" || hasFiltersBeyondStatus(query);

/** Filters that the trigger-kept counters (decision 015) cannot count. */
export const hasFiltersBeyondStatus = (query: ListFilters) =>
  Boolean(query.q || query.priority || query.tag || query.due_before || query.due_after);

/**
 * Whether a trigram index can narrow a search: pg_trgm takes trigrams from runs of letters and
 * digits in the pattern, so a term without three in a row ("ab", "%", "a b") matches through no
 * index and every task must be read to find it (decision 025). Conservative: marks and other
 * characters that pg_trgm may or may not count as word characters break a run.
 */
export const searchUsesIndex = (q: string | undefined) =>
  q === undefined || /[\p{L}\p{Nd}]{3}/u.test(q);

/**
 * What the search index (`tasks_user_search_keys_idx`, migration 0007, decision 040) narrows a
 * search to: tasks of this owner whose title and description hold every trigram of `q`, taken
 * where the text around `q` cannot change them. Its entries are the owner and the trigram
 * together, so the index reads only this user's tasks that hold `q`'s rarest trigram, whatever
 * the number of their tasks. A candidate, not a match: the substring test (containsPattern)
 * still decides. Undefined where searchUsesIndex(q) is false. Only for a path that reaches rows
 * through that index: on a row read in order it would be computed from the text, at a cost far
 * above the substring test's.
 */
export const searchCandidatesOf = (query: Pick<ListQuery, "q">) =>
  query.q && searchUsesIndex(query.q)
    ? sql`task_search_keys(${tasks.userId}, ${tasks.title}, ${tasks.description}) @> task_search_query_keys(${value("userId")}, ${value("q")})`
    : undefined;

/** `q` as a LIKE pattern: a substring, with the pattern's own metacharacters taken literally. */
const patternOf = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

/**
 * `text ILIKE pattern`, spelled as PostgreSQL runs it in a UTF-8 database: both lowered, then
 * matched case-sensitively (like.c, Generic_Text_IC_like). ILIKE lowers the pattern again for every
 * row; here `lower(pattern)` is computed once per statement, which halves the cost of a search read
 * in order (decision 042): folded when a custom plan is made; in a window's statement
 * (`forGenericPlan`), which may be kept with one plan for every value, in a scalar subquery that
 * runs once (decision 052).
 */
const containsPattern = (text: AnyColumn, forGenericPlan: boolean) => {
  const lowered = sql`lower(${value("pattern")})`;
  return sql`lower(${text}) like ${forGenericPlan ? sql`(select ${lowered})` : lowered}`;
};

/**
 * The list's filters on a source of task columns, split by where they belong in a walk along the
 * sort's index (list-tasks.ts): `range` narrows that index's range (a due-date bound when sorted
 * by due date, the priority when sorted by priority), `rest` is checked on each row read.
 */
export function filtersOf(
  query: ListFilters & Pick<ListQuery, "sort">,
  columns: TaskColumns,
  { forGenericPlan = false } = {},
) {
  const due = [
    query.due_before ? lt(columns.dueDate, value("dueBefore")) : undefined,
    query.due_after ? gt(columns.dueDate, value("dueAfter")) : undefined,
  ];
  const priority = query.priority ? eq(columns.priority, value("priority")) : undefined;
  const status = query.status === "all" ? undefined : eq(columns.completed, value("completed"));
  const search = query.q
    ? or(
        containsPattern(columns.title, forGenericPlan),
        containsPattern(columns.description, forGenericPlan),
      )
    : undefined;
  const tag = query.tag ? sql`${columns.tags} @> array[${value("tag")}]::text[]` : undefined;
  const byDue = query.sort === "due_date";
  const byPriority = query.sort === "priority";
  const range = [...(byDue ? due : []), byPriority ? priority : undefined];
  const rest = [status, search, tag, ...(byDue ? [] : due), byPriority ? undefined : priority];
  return { range: and(...range), rest: and(...rest), all: and(...range, ...rest) };
}
