import type { components } from "@/lib/api-schema";
import type { Task } from "@/lib/api-types";

// Read from the generated api-schema.d.ts (`npm run api:types`), like every API type of the app.

/** A task as a change event carries it: the task JSON with its trash state. */
export type EventTask = components["schemas"]["EventTask"];

/** One event of `GET /api/{user_id}/events` (and `/changes`); API decision 036. */
export type ChangeEvent = components["schemas"]["TaskEvent"];

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

/** The version of a cached task (an optimistic one the server has not answered yet has none). */
export const versionOf = (task: Task): number | undefined =>
  typeof task.version === "number" ? task.version : undefined;
