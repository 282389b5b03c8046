import type { TaskEventOp } from "../db/sync-schema";
import { taskPriorities } from "../db/tasks-schema";
import { toTaskJson } from "../tasks/task-json";
import type { TaskEventJson } from "./sync.schemas";

/** A task_events row as the change queries read it: `task` is to_jsonb of the row (column names). */
export interface EventRow {
  seq: number;
  task_id: number;
  op: TaskEventOp;
  version: number;
  task: Record<string, unknown> | null;
  changed: string[];
  at: Date | string;
}

/**
 * Column name → API field name. They are the same words today (the API is snake_case like the
 * table), but a column that is not part of the API never leaks into an event.
 */
const FIELD_OF_COLUMN: Record<string, string> = {
  title: "title",
  description: "description",
  completed: "completed",
  completed_at: "completed_at",
  priority: "priority",
  tags: "tags",
  due_date: "due_date",
  deleted_at: "deleted_at",
  user_id: "user_id",
};

const instantOrNull = (value: unknown) =>
  typeof value === "string" ? new Date(value) : value instanceof Date ? value : null;

function instant(value: unknown): Date {
  const date = instantOrNull(value);
  if (!date || Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${String(value)}`);
  return date;
}

const priorityOf = (value: unknown) =>
  taskPriorities.find((priority) => priority === value) ?? "medium";

/** The row after the change, in the shape the task routes answer (Postgres timestamp text → ISO). */
function eventTask(row: Record<string, unknown>): NonNullable<TaskEventJson["task"]> {
  return {
    ...toTaskJson({
      id: Number(row.id),
      userId: String(row.user_id),
      title: String(row.title),
      description: typeof row.description === "string" ? row.description : null,
      completed: row.completed === true,
      completedAt: instantOrNull(row.completed_at),
      priority: priorityOf(row.priority),
      tags: Array.isArray(row.tags) ? row.tags.map(String) : [],
      dueDate: instantOrNull(row.due_date),
      version: Number(row.version),
      createdAt: instant(row.created_at),
      updatedAt: instant(row.updated_at),
      deletedAt: instantOrNull(row.deleted_at),
    }),
    deleted_at: instantOrNull(row.deleted_at)?.toISOString() ?? null,
  };
}

export function toEventJson(row: EventRow): TaskEventJson {
  return {
    seq: Number(row.seq),
    task_id: row.task_id,
    op: row.op,
    version: row.version,
    task: row.task ? eventTask(row.task) : null,
    changed: row.changed.flatMap((column) => FIELD_OF_COLUMN[column] ?? []),
    at: instant(row.at).toISOString(),
  };
}
