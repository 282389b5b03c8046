import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import { problems } from "../http/problem";
import {
  bump,
  statementsOf,
  toTrash,
  UPDATABLE_FIELDS,
  type UpdatableField,
  updateStatement,
} from "./task-statements";
import type { TaskCreate, TaskUpdate } from "./tasks.schemas";

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

/** Moves a live task to the trash (decision 039); a task already there is not found. */
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
    .where(and(eq(tasks.userId, userId), eq(tasks.completed, !completed), isNull(tasks.deletedAt)))
    .returning({ id: tasks.id });
  return rows.length;
}

/** "Clear completed" moves the completed tasks to the trash, like DELETE of each (decision 039). */
export async function clearCompleted(db: Database, userId: string): Promise<number> {
  const rows = await db
    .update(tasks)
    .set(toTrash)
    .where(and(eq(tasks.userId, userId), eq(tasks.completed, true), isNull(tasks.deletedAt)))
    .returning({ id: tasks.id });
  return rows.length;
}
