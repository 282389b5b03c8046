import type { ApiClient } from "../api-client";
import { ApiError } from "../api-errors";
import {
  type ClearCompletedResult,
  type CompleteAllResult,
  type EmptyTrashResult,
  type Task,
  taskEtag,
  taskPaths,
  trashPaths,
} from "../api-types";
import { mergeChanges } from "./merge-changes";
import type { EditableFields, QueuedWrite } from "./queued-write";

export interface SentWrite {
  /** The task as the server has it after the write; undefined for a delete, or a restore of a task gone for good. */
  task?: Task;
  /** How many tasks a bulk write changed (mark all complete, clear completed, empty trash). */
  count?: number;
  /** Fields changed elsewhere too, where the server's value was kept. */
  conflicts: (keyof EditableFields)[];
  /** An edit met a 412 and was merged with a change made elsewhere. */
  merged?: boolean;
}

/** A 412 is followed by a read and a merge; a task edited this often meanwhile is given up on. */
const MAX_MERGES = 3;

const isStatus = (error: unknown, status: number) =>
  error instanceof ApiError && error.status === status;

const ifMatch = (taskId: number, version: number | null | undefined): Record<string, string> =>
  version == null ? {} : { "If-Match": taskEtag({ id: taskId, version }) };

async function getTask(api: ApiClient, userId: string, id: number): Promise<Task> {
  const { data } = await api.request<Task>(taskPaths.one(userId, id));
  return data;
}

/** PUT for an edit, PATCH …/complete when completion is all that is left to send. */
async function sendEdit(
  api: ApiClient,
  userId: string,
  taskId: number,
  changes: EditableFields,
  version: number | null | undefined,
): Promise<Task> {
  const onlyCompletion = Object.keys(changes).length === 1 && changes.completed !== undefined;
  const { data } = await api.request<Task>(
    onlyCompletion ? taskPaths.complete(userId, taskId) : taskPaths.one(userId, taskId),
    {
      method: onlyCompletion ? "PATCH" : "PUT",
      body: onlyCompletion ? { completed: changes.completed } : changes,
      headers: ifMatch(taskId, version),
    },
  );
  return data;
}

/**
 * An edit made on `version`: on a 412 (the task changed elsewhere) it reads the task, keeps what
 * the other side changed and sends only the user's own changes again (decision 038).
 */
async function sendMergedEdit(
  api: ApiClient,
  userId: string,
  taskId: number,
  base: EditableFields,
  changes: EditableFields,
  version: number | null,
): Promise<SentWrite> {
  const conflicts = new Set<keyof EditableFields>();
  let pending = changes;
  let on: number | null | undefined = version;
  for (let merges = 0; ; merges++) {
    try {
      const task = await sendEdit(api, userId, taskId, pending, on);
      return { task, conflicts: [...conflicts], merged: merges > 0 };
    } catch (error) {
      if (!isStatus(error, 412) || merges >= MAX_MERGES) throw error;
    }
    const current = await getTask(api, userId, taskId);
    const merged = mergeChanges(base, pending, current);
    for (const field of merged.conflicts) conflicts.add(field);
    if (Object.keys(merged.apply).length === 0)
      return { task: current, conflicts: [...conflicts], merged: true };
    pending = merged.apply;
    on = current.version;
  }
}

/** A write whose target may already be gone: 404 is what the user asked for (delete, purge). */
async function unlessGone<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
    return undefined;
  }
}

/** Sends one write with the headers that make sending it again safe. */
export async function sendWrite(
  api: ApiClient,
  userId: string,
  write: QueuedWrite,
  { keepalive = false }: { keepalive?: boolean } = {},
): Promise<SentWrite> {
  switch (write.kind) {
    case "create": {
      const { data } = await api.request<Task>(taskPaths.list(userId), {
        method: "POST",
        body: write.input,
        headers: { "Idempotency-Key": write.key },
      });
      return { task: data, conflicts: [] };
    }
    case "update":
      return sendMergedEdit(api, userId, write.taskId, write.base, write.changes, write.version);
    case "complete":
      return sendMergedEdit(
        api,
        userId,
        write.taskId,
        { completed: !write.completed },
        { completed: write.completed },
        write.version,
      );
    case "delete":
      // No If-Match: a delete moves the task to the trash, from where it can be restored, so the
      // user's wish wins over an edit made elsewhere meanwhile. Gone already (404) is what the
      // user asked for.
      await unlessGone(
        api.request<void>(taskPaths.one(userId, write.taskId), {
          method: "DELETE",
          // Sent as the page goes away (pending deletes, decision 016).
          keepalive,
        }),
      );
      return { conflicts: [] };
    case "complete-all": {
      const { data } = await api.request<CompleteAllResult>(taskPaths.completeAll(userId), {
        method: "POST",
        body: { completed: write.completed },
        headers: { "Idempotency-Key": write.key },
      });
      return { count: data.updated, conflicts: [] };
    }
    case "clear-completed": {
      const { data } = await api.request<ClearCompletedResult>(taskPaths.clearCompleted(userId), {
        method: "DELETE",
        headers: { "Idempotency-Key": write.key },
      });
      return { count: data.deleted, conflicts: [] };
    }
    case "restore": {
      // Restoring a live task answers it unchanged (API decision 039); one purged meanwhile (404)
      // cannot come back, and there is nothing left to do.
      const restored = await unlessGone(
        api.request<Task>(taskPaths.restore(userId, write.taskId), {
          method: "POST",
          headers: { "Idempotency-Key": write.key },
        }),
      );
      return { task: restored?.data, conflicts: [] };
    }
    case "purge":
      await unlessGone(
        api.request<void>(trashPaths.one(userId, write.taskId), { method: "DELETE" }),
      );
      return { conflicts: [] };
    case "empty-trash": {
      const { data } = await api.request<EmptyTrashResult>(trashPaths.list(userId), {
        method: "DELETE",
        headers: { "Idempotency-Key": write.key },
      });
      return { count: data.purged, conflicts: [] };
    }
  }
}
