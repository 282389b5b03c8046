import type { CreateTaskInput, UpdateTaskInput } from "../api-types";

/** The task fields an edit may change, with the values the user saw before changing them. */
export type EditableFields = UpdateTaskInput;

/**
 * A task write waiting in the outbox (decision 038). `key` is a UUID made when the user acted: a
 * create sends it as `Idempotency-Key`, so a replay after a lost answer cannot create twice.
 * Edits carry the version they were made on (sent as If-Match) and, per changed field, the value
 * before the change (`base`), so that after a 412 only the user's own changes are re-applied.
 */
export type QueuedWrite =
  | { key: string; kind: "create"; input: CreateTaskInput }
  | {
      key: string;
      kind: "update";
      taskId: number;
      changes: EditableFields;
      base: EditableFields;
      version: number | null;
    }
  | { key: string; kind: "complete"; taskId: number; completed: boolean; version: number | null }
  | { key: string; kind: "delete"; taskId: number };

/** A write as the app submits it; the outbox gives it its key. */
export type NewWrite = QueuedWrite extends infer W
  ? W extends QueuedWrite
    ? Omit<W, "key">
    : never
  : never;
