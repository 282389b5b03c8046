import {
  and,
  arrayContains,
  count,
  eq,
  getTableColumns,
  gt,
  ilike,
  lt,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { Database } from "../db/client";
import { type TaskRow, taskCounts, tasks } from "../db/tasks-schema";
import { problems } from "../http/problem";
import type { Cursor } from "./cursor";
import {
  bump,
  statementsOf,
  UPDATABLE_FIELDS,
  type UpdatableField,
  updateStatement,
} from "./task-statements";
import type { ListQuery, TaskCreate, TaskUpdate } from "./tasks.schemas";

// Every query here takes the owner's id and filters by it: there is no way to read or write a
// task without naming its owner. Another user's task is "not found", exactly like a missing one.

const notFound = () => problems.notFound(TASK_NOT_FOUND);

export const TASK_NOT_FOUND = "No such task.";

/** A conditional write changed nothing: tell a stale If-Match (412) from a missing task (404). */
async function missedWrite(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
) {
  if (versions === undefined) return notFound();
  const [row] = await statementsOf(db).exists.execute({ userId, id });
  return row
    ? problems.preconditionFailed("The task has changed since you read it (If-Match).")
    : notFound();
}

function only<T>(rows: T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error("expected a row from RETURNING");
  return row;
}

/** A due date as the statements take it: ISO text, or null to clear it. */
const dueDateValue = (iso: string | null) => (iso === null ? null : new Date(iso).toISOString());

export async function createTask(
  db: Database,
  userId: string,
  input: TaskCreate,
): Promise<TaskRow> {
  const rows = await statementsOf(db).create.execute({
    userId,
    title: input.title,
    description: input.description ?? null,
    priority: input.priority ?? "medium",
    tags: input.tags ?? [],
    dueDate: dueDateValue(input.due_date ?? null),
    completed: input.completed ?? false,
  });
  return only(rows);
}

export async function getTask(db: Database, userId: string, id: number): Promise<TaskRow> {
  const [row] = await statementsOf(db).get.execute({ userId, id });
  if (!row) throw notFound();
  return row;
}

/** The one way a task is changed: owner-scoped, If-Match-aware, bumping version and updated_at. */
async function updateOwned(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
  values: Partial<Record<UpdatableField, unknown>>,
): Promise<TaskRow> {
  const fields = UPDATABLE_FIELDS.filter((field) => values[field] !== undefined);
  const [row] = await updateStatement(db, fields, versions !== undefined).execute({
    userId,
    id,
    versions,
    title: values.title,
    description: values.description,
    priority: values.priority,
    tags: values.tags,
    dueDate: values.due_date,
    completed: values.completed,
  });
  if (!row) throw await missedWrite(db, userId, id, versions);
  return row;
}

export function updateTask(
  db: Database,
  userId: string,
  id: number,
  patch: TaskUpdate,
  versions: number[] | undefined,
): Promise<TaskRow> {
  return updateOwned(db, userId, id, versions, {
    ...patch,
    due_date: patch.due_date === undefined ? undefined : dueDateValue(patch.due_date),
  });
}

/** `completed` undefined toggles, in one statement, so two quick toggles never lose one. */
export function setCompleted(
  db: Database,
  userId: string,
  id: number,
  completed: boolean | undefined,
  versions: number[] | undefined,
): Promise<TaskRow> {
  return updateOwned(
    db,
    userId,
    id,
    versions,
    completed === undefined ? { toggle: true } : { completed },
  );
}

export async function deleteTask(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
) {
  const statements = statementsOf(db);
  const [row] = await (versions === undefined
    ? statements.delete.execute({ userId, id })
    : statements.deleteIfMatch.execute({ userId, id, versions }));
  if (!row) throw await missedWrite(db, userId, id, versions);
}

const completedAtFor = (completed: boolean) =>
  completed ? sql`coalesce(${tasks.completedAt}, now())` : sql`null`;

export async function completeAll(
  db: Database,
  userId: string,
  completed: boolean,
): Promise<number> {
  const rows = await db
    .update(tasks)
    .set({ completed, completedAt: completedAtFor(completed), ...bump })
    .where(and(eq(tasks.userId, userId), eq(tasks.completed, !completed)))
    .returning({ id: tasks.id });
  return rows.length;
}

export async function clearCompleted(db: Database, userId: string): Promise<number> {
  const rows = await db
    .delete(tasks)
    .where(and(eq(tasks.userId, userId), eq(tasks.completed, true)))
    .returning({ id: tasks.id });
  return rows.length;
}

type Sort = ListQuery["sort"];

const SORT_KEYS: Record<Sort, { key: SQL; type: string }> = {
  created: { key: sql`${tasks.createdAt}`, type: "timestamptz" },
  updated: { key: sql`${tasks.updatedAt}`, type: "timestamptz" },
  title: { key: sql`lower(${tasks.title})`, type: "text" },
  priority: { key: sql`${tasks.priority}`, type: "task_priority" },
  due_date: { key: sql`${tasks.dueDate}`, type: "timestamptz" },
};

function filtersOf(userId: string, query: ListQuery): SQL | undefined {
  const pattern = query.q && `%${query.q.replace(/[\\%_]/g, "\\$&")}%`;
  return and(
    eq(tasks.userId, userId),
    query.status === "all" ? undefined : eq(tasks.completed, query.status === "completed"),
    pattern ? or(ilike(tasks.title, pattern), ilike(tasks.description, pattern)) : undefined,
    query.priority ? eq(tasks.priority, query.priority) : undefined,
    query.tag ? arrayContains(tasks.tags, [query.tag]) : undefined,
    query.due_before ? lt(tasks.dueDate, new Date(query.due_before)) : undefined,
    query.due_after ? gt(tasks.dueDate, new Date(query.due_after)) : undefined,
  );
}

/**
 * Rows strictly after the cursor in (sort key, id) order. Tasks without a due date sort last in
 * either direction, so for due_date the null rows form their own tail ordered by id.
 */
function afterCursor(cursor: Cursor): SQL {
  const { key, type } = SORT_KEYS[cursor.sort];
  const op = sql.raw(cursor.order === "asc" ? ">" : "<");
  const value = sql`cast(${cursor.value} as ${sql.raw(type)})`;
  if (cursor.sort !== "due_date") return sql`(${key}, ${tasks.id}) ${op} (${value}, ${cursor.id})`;
  if (cursor.value === null)
    return sql`(${tasks.dueDate} is null and ${tasks.id} ${op} ${cursor.id})`;
  return sql`((${tasks.dueDate}, ${tasks.id}) ${op} (${value}, ${cursor.id}) or ${tasks.dueDate} is null)`;
}

/**
 * X-Total-Count. Filtered by status alone (the common case: "all", "3 left"), it is read from the
 * trigger-kept counters in one row; other filters count their matches.
 */
async function countMatches(
  db: Database,
  userId: string,
  query: ListQuery,
  filters: SQL | undefined,
) {
  const onlyStatus =
    !query.q && !query.priority && !query.tag && !query.due_before && !query.due_after;
  if (!onlyStatus) {
    const [row] = await db.select({ total: count() }).from(tasks).where(filters);
    return row?.total ?? 0;
  }
  const [row] = await db.select().from(taskCounts).where(eq(taskCounts.userId, userId));
  if (!row) return 0;
  if (query.status === "completed") return row.completed;
  return query.status === "pending" ? row.total - row.completed : row.total;
}

export interface TaskPage {
  tasks: TaskRow[];
  total: number;
  next: Cursor | undefined;
}

export async function listTasks(
  db: Database,
  userId: string,
  query: ListQuery,
  cursor: Cursor | undefined,
): Promise<TaskPage> {
  const { key } = SORT_KEYS[query.sort];
  const direction = sql.raw(query.order);
  const nulls = query.sort === "due_date" ? sql` nulls last` : sql``;
  const filters = filtersOf(userId, query);

  const [rows, total] = await Promise.all([
    db
      .select({ ...getTableColumns(tasks), sortValue: sql<string | null>`(${key})::text` })
      .from(tasks)
      .where(and(filters, cursor && afterCursor(cursor)))
      .orderBy(sql`${key} ${direction}${nulls}`, sql`${tasks.id} ${direction}`)
      .limit(query.limit + 1),
    countMatches(db, userId, query, filters),
  ]);

  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next =
    rows.length > query.limit && last
      ? { sort: query.sort, order: query.order, value: last.sortValue, id: last.id }
      : undefined;
  return {
    tasks: page.map(({ sortValue: _sortValue, ...task }) => task),
    total,
    next,
  };
}
