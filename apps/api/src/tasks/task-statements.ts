import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { type Database, perDatabase, statementName } from "../db/client";
import { tasks } from "../db/tasks-schema";

// The statements behind the single-task routes, built once per database and sent as named
// prepared statements: Drizzle builds no SQL per request, and Postgres parses and plans each once
// per connection (docs/decisions/031-cheaper-requests.md). Values travel as placeholders, filled
// by name in tasks.queries.ts. Every statement still names the owner: see tasks.queries.ts.

const p = sql.placeholder;

/**
 * A value sent as is, typed by the column it is compared with or assigned to. UPDATE … SET takes
 * only these (Drizzle's types allow no placeholder there), and a nullable timestamp needs one
 * (its column's encoder cannot take null): it goes as ISO text or null.
 */
const raw = (name: string) => sql`${p(name)}`;

/** The owner's task, live: a task in the trash (decision 039) is as missing as another user's. */
const owned = and(eq(tasks.userId, p("userId")), eq(tasks.id, p("id")), isNull(tasks.deletedAt));

/** If-Match: the row's version is one of `versions` (an int array; empty matches nothing). */
const versionIn = sql`${tasks.version} = any(${p("versions")})`;

/** Every write moves the version (the ETag) and updated_at. */
export const bump = { version: sql`${tasks.version} + 1`, updatedAt: sql`now()` };

/** A move to the trash, by one task or in bulk (clear completed). */
export const toTrash = { deletedAt: sql`now()`, ...bump };

/** Set by the UPDATE statements for each field a request may change. */
const SETTERS = {
  title: { title: raw("title") },
  description: { description: raw("description") },
  priority: { priority: raw("priority") },
  tags: { tags: raw("tags") },
  due_date: { dueDate: raw("dueDate") },
  completed: {
    completed: raw("completed"),
    completedAt: sql`case when ${p("completed")} then coalesce(${tasks.completedAt}, now()) end`,
  },
  toggle: {
    completed: sql`not ${tasks.completed}`,
    completedAt: sql`case when ${tasks.completed} then null else now() end`,
  },
} satisfies Record<string, PgUpdateSetSource<typeof tasks>>;

export type UpdatableField = keyof typeof SETTERS;

function build(db: Database) {
  const named = (name: string) => statementName(db, name);
  return {
    get: db.select().from(tasks).where(owned).prepare(named("task_get")),
    exists: db.select({ id: tasks.id }).from(tasks).where(owned).prepare(named("task_exists")),
    create: db
      .insert(tasks)
      .values({
        userId: p("userId"),
        title: p("title"),
        description: p("description"),
        priority: p("priority"),
        tags: p("tags"),
        dueDate: raw("dueDate"),
        completed: p("completed"),
        completedAt: sql`case when ${p("completed")} then now() end`,
      })
      .returning()
      .prepare(named("task_create")),
    // DELETE moves the task to the trash (decision 039): an UPDATE, so it can be restored.
    delete: db
      .update(tasks)
      .set(toTrash)
      .where(owned)
      .returning({ id: tasks.id })
      .prepare(named("task_trash")),
    deleteIfMatch: db
      .update(tasks)
      .set(toTrash)
      .where(and(owned, versionIn))
      .returning({ id: tasks.id })
      .prepare(named("task_trash_if_match")),
  };
}

export const statementsOf = perDatabase((db) => ({
  ...build(db),
  updates: new Map<string, ReturnType<typeof buildUpdate>>(),
}));

/** Statement names by shape, the same on every connection of this process. */
const updateNames = new Map<string, string>();

function buildUpdate(db: Database, fields: UpdatableField[], conditional: boolean, name: string) {
  const set: PgUpdateSetSource<typeof tasks> = Object.assign({}, ...fields.map((f) => SETTERS[f]));
  const where: SQL | undefined = conditional ? and(owned, versionIn) : owned;
  return db
    .update(tasks)
    .set({ ...set, ...bump })
    .where(where)
    .returning()
    .prepare(statementName(db, name));
}

/**
 * The UPDATE that sets exactly `fields` (in SETTERS order), with or without If-Match: one
 * statement per shape, so at most 2^6 + 2 of them, each made on first use.
 */
export function updateStatement(db: Database, fields: UpdatableField[], conditional: boolean) {
  const shape = `${fields.join(",")}${conditional ? "?" : ""}`;
  const statements = statementsOf(db);
  let statement = statements.updates.get(shape);
  if (!statement) {
    let name = updateNames.get(shape);
    if (!name) {
      name = `task_update_${updateNames.size}`;
      updateNames.set(shape, name);
    }
    statement = buildUpdate(db, fields, conditional, name);
    statements.updates.set(shape, statement);
  }
  return statement;
}

export const UPDATABLE_FIELDS = Object.keys(SETTERS) as UpdatableField[];
