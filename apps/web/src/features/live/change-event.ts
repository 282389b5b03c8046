import type { Task } from "@/lib/api-types";

/** A task as a change event carries it: the task JSON, with its version and trash state. */
export type EventTask = Task & { version: number; deleted_at: string | null };

/** One event of `GET /api/{user_id}/events` (and `/changes`); API decision 036. */
export interface ChangeEvent {
  seq: number;
  task_id: number;
  op: "create" | "update" | "delete" | "restore" | "purge";
  version: number;
  /** The task after the change; null once purged. */
  task: EventTask | null;
  changed: string[];
  at: string;
}

export function isChangeEvent(value: unknown): value is ChangeEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Partial<ChangeEvent>;
  return (
    typeof event.seq === "number" &&
    typeof event.task_id === "number" &&
    typeof event.version === "number" &&
    typeof event.op === "string"
  );
}

/** The version of a cached task (the API sends it; tasks cached before it existed have none). */
export const versionOf = (task: Task): number | undefined => {
  const version = (task as Partial<EventTask>).version;
  return typeof version === "number" ? version : undefined;
};
