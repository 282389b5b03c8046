import type { CreateTaskInput, UpdateTaskInput } from "../api-types";

/** The task fields an edit may change, with the values the user saw before changing them. */
export type EditableFields = UpdateTaskInput;

/**
 * A task write waiting in the outbox (decision 038). `key` is a UUID made when the user acted: a
 * create sends it as `Idempotency-Key`, so a replay after a lost answer cannot create twice.
 * Edits carry the version they were made on (sent as If-Match) and, per changed field, the value
 * before the change (`base`), so that after a 412 only the user's own changes are re-applied.
 * A create carries the temporary (negative) id its task has on screen, `localId`: writes the user
 * makes to that task before the server has it are queued with that id and point at the server's
 * task once the create is accepted.
 */
export type QueuedWrite =
  | { key: string; kind: "create"; input: CreateTaskInput; localId?: number }
  | {
      key: string;
      kind: "update";
      taskId: number;
      changes: EditableFields;
      base: EditableFields;
      version: number | null;
    }
  | { key: string; kind: "complete"; taskId: number; completed: boolean; version: number | null }
  | { key: string; kind: "delete"; taskId: number }
  /**
   * The writes below carry `key` as Idempotency-Key, so a retry after a lost answer is answered
   * from the first attempt. Bulk writes act on the tasks the server has when they are sent, not
   * on the ones the user saw (decision 038).
   */
  | { key: string; kind: "complete-all"; completed: boolean }
  | { key: string; kind: "clear-completed" }
  | { key: string; kind: "restore"; taskId: number }
  | { key: string; kind: "empty-trash" }
  /** Deleting one task in the trash for good needs no key: gone already (404) is done. */
  | { key: string; kind: "purge"; taskId: number };

/** A write as the app submits it; the outbox gives it its key. */
export type NewWrite = QueuedWrite extends infer W
  ? W extends QueuedWrite
    ? Omit<W, "key">
    : never
  : never;

/** The writes that name one task (and may name it by its temporary id). */
export type TaskWrite = Extract<QueuedWrite, { taskId: number }>;

export const namesTask = (write: QueuedWrite): write is TaskWrite => "taskId" in write;

/** A task the server created for a temporary id: its id there and its version then. */
export interface ServerTask {
  id: number;
  version: number;
}

/**
 * Points a write made on a task's temporary id at the server's task. Its version there is the
 * one the create returned (the temporary task's version is 0), so a later change made elsewhere
 * still meets If-Match.
 */
export function pointAtServerTask<W extends QueuedWrite>(write: W, server: ServerTask): W {
  if (!namesTask(write)) return write;
  const moved = { ...write, taskId: server.id };
  if ("version" in moved && moved.version === 0) moved.version = server.version;
  return moved;
}
