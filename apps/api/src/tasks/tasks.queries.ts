import { and, eq, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { type TaskRow, tasks } from "../db/tasks-schema";
import { problems } from "../http/problem";
import type { TaskCreate, TaskUpdate } from "./tasks.schemas";

// Every query here takes the owner's id and filters by it: there is no way to read or write a
// task without naming its owner. Another user's task is "not found", exactly like a missing one.

const owned = (userId: string, id: number) => and(eq(tasks.userId, userId), eq(tasks.id, id));

/** `versions` from If-Match: undefined = any version; [] = none can match. */
const versionIn = (versions: number[] | undefined) =>
  versions === undefined
    ? undefined
    : versions.length === 0
      ? sql`false`
      : inArray(tasks.version, versions);

const toDate = (iso: string | null) => (iso === null ? null : new Date(iso));

export const TASK_NOT_FOUND = "No such task.";
const notFound = () => problems.notFound(TASK_NOT_FOUND);

/** A conditional write changed nothing: tell a stale If-Match (412) from a missing task (404). */
async function missedWrite(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
) {
  if (versions === undefined) return notFound();
  const [row] = await db.select({ id: tasks.id }).from(tasks).where(owned(userId, id));
  return row
    ? problems.preconditionFailed("The task has changed since you read it (If-Match).")
    : notFound();
}

function only<T>(rows: T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error("expected a row from RETURNING");
  return row;
}

/** Every write moves the version (the ETag) and updated_at. */
const bump = { version: sql`${tasks.version} + 1`, updatedAt: sql`now()` };

const completedAtFor = (completed: boolean) =>
  completed ? sql`coalesce(${tasks.completedAt}, now())` : sql`null`;

export async function createTask(
  db: Database,
  userId: string,
  input: TaskCreate,
): Promise<TaskRow> {
  const completed = input.completed ?? false;
  const rows = await db
    .insert(tasks)
    .values({
      userId,
      title: input.title,
      description: input.description ?? null,
      priority: input.priority ?? "medium",
      tags: input.tags ?? [],
      dueDate: toDate(input.due_date ?? null),
      completed,
      completedAt: completed ? sql`now()` : null,
    })
    .returning();
  return only(rows);
}

export async function getTask(db: Database, userId: string, id: number): Promise<TaskRow> {
  const [row] = await db.select().from(tasks).where(owned(userId, id));
  if (!row) throw notFound();
  return row;
}

/** The one way a task is changed: owner-scoped, If-Match-aware, bumping version and updated_at. */
async function updateOwned(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
  values: PgUpdateSetSource<typeof tasks>,
): Promise<TaskRow> {
  const [row] = await db
    .update(tasks)
    .set({ ...values, ...bump })
    .where(and(owned(userId, id), versionIn(versions)))
    .returning();
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
    title: patch.title,
    description: patch.description,
    priority: patch.priority,
    tags: patch.tags,
    dueDate: patch.due_date === undefined ? undefined : toDate(patch.due_date),
    completed: patch.completed,
    completedAt: patch.completed === undefined ? undefined : completedAtFor(patch.completed),
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
    completed === undefined
      ? {
          completed: sql`not ${tasks.completed}`,
          completedAt: sql`case when ${tasks.completed} then null else now() end`,
        }
      : { completed, completedAt: completedAtFor(completed) },
  );
}

export async function deleteTask(
  db: Database,
  userId: string,
  id: number,
  versions: number[] | undefined,
) {
  const [row] = await db
    .delete(tasks)
    .where(and(owned(userId, id), versionIn(versions)))
    .returning({ id: tasks.id });
  if (!row) throw await missedWrite(db, userId, id, versions);
}

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
