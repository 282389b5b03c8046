import { and, desc, eq, sql } from "drizzle-orm";
import { type Database, perDatabase, statementName } from "../db/client";
import { type TaskEventOp, taskEvents } from "../db/sync-schema";
import { problems } from "../http/problem";
import { TASK_NOT_FOUND } from "./tasks.queries";
import { trashStatementsOf } from "./trash.queries";

// A task's history (decision 039), read from the change log (decision 035): each event's changed
// columns with their values before (the event's `before`) and after (the row it recorded). The
// database's column names are the API's field names (due_date, completed_at…), so only the values
// need converting: times to ISO 8601 UTC, as in task JSON.

/** The most entries answered: the newest ones, oldest first. */
export const HISTORY_LIMIT = 100;

/** The fields a client sets: a create entry lists their first values (before: null). */
const CREATED_FIELDS = ["title", "description", "priority", "tags", "due_date", "completed"];
const TIME_FIELDS = new Set(["completed_at", "due_date", "created_at", "updated_at", "deleted_at"]);

export type FieldValue = string | boolean | string[] | null;

export interface HistoryEntry {
  seq: number;
  at: string;
  op: TaskEventOp;
  changes: { field: string; before: FieldValue; after: FieldValue }[];
}

const p = sql.placeholder;

const historyStatement = perDatabase((db) =>
  db
    .select({
      seq: taskEvents.seq,
      at: taskEvents.at,
      op: taskEvents.op,
      task: taskEvents.task,
      changed: taskEvents.changed,
      before: taskEvents.before,
    })
    .from(taskEvents)
    .where(and(eq(taskEvents.userId, p("userId")), eq(taskEvents.taskId, p("id"))))
    .orderBy(desc(taskEvents.seq))
    .limit(HISTORY_LIMIT)
    .prepare(statementName(db, "task_history")),
);

/** A value as to_jsonb wrote it, as task JSON shows it. */
function apiValue(field: string, value: unknown): FieldValue {
  if (value === undefined || value === null) return null;
  if (TIME_FIELDS.has(field) && typeof value === "string") return new Date(value).toISOString();
  return value as FieldValue;
}

type EventRow = Awaited<ReturnType<ReturnType<typeof historyStatement>["execute"]>>[number];

function changesOf(event: EventRow): HistoryEntry["changes"] {
  const after = event.task ?? {};
  if (event.op === "create") {
    return CREATED_FIELDS.map((field) => ({
      field,
      before: null,
      after: apiValue(field, after[field]),
    }));
  }
  return event.changed.map((field) => ({
    field,
    before: apiValue(field, event.before[field]),
    after: apiValue(field, after[field]),
  }));
}

/**
 * The task's last HISTORY_LIMIT changes, oldest first. A task in the trash, or purged, still has
 * its history (until the log is pruned); a task this user never had is not found.
 */
export async function taskHistory(
  db: Database,
  userId: string,
  id: number,
): Promise<HistoryEntry[]> {
  const events = await historyStatement(db).execute({ userId, id });
  if (events.length === 0) {
    // Its events may have been pruned (SYNC_RETENTION_DAYS) while the task lives on.
    const [task] = await trashStatementsOf(db).anyState.execute({ userId, id });
    if (!task) throw problems.notFound(TASK_NOT_FOUND);
  }
  return events.reverse().map((event) => ({
    seq: event.seq,
    at: event.at.toISOString(),
    op: event.op,
    changes: changesOf(event),
  }));
}
