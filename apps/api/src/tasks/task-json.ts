import type { TaskRow } from "../db/tasks-schema";
import type { Task } from "./tasks.schemas";

/** The API's task object: snake_case, UTC ISO 8601 times. */
export function toTaskJson(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completed_at: row.completedAt?.toISOString() ?? null,
    priority: row.priority,
    tags: row.tags,
    due_date: row.dueDate?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}
