import type { TaskRow } from "../db/tasks-schema";

/**
 * A row of `tasks` as the driver hands it to Drizzle (node-postgres and PGlite alike): column
 * names, times as text, since Drizzle turns off the drivers' date parsing.
 */
export interface DriverTaskRow {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: TaskRow["priority"];
  tags: string[];
  due_date: string | null;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

const instantOf = (value: string | null) => (value === null ? null : new Date(value));

/**
 * What Drizzle's row mapping makes of such a row, done directly: its generic mapping builds an
 * iterator and an entry array per column and row, about 1.2 KB of garbage per task on a list page
 * (decision 042). The same Date values: `instant` columns have a time zone, which the text carries.
 */
export function taskFromDriver(row: DriverTaskRow): TaskRow {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    description: row.description,
    completed: row.completed,
    completedAt: instantOf(row.completed_at),
    priority: row.priority,
    tags: row.tags,
    dueDate: instantOf(row.due_date),
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    deletedAt: instantOf(row.deleted_at),
  };
}
