/**
 * Types of the task API (see docs/web.md and the API contract). Framework-free: any frontend can
 * import this file together with `api-client.ts` and `api-errors.ts`.
 */

import type { components, paths } from "./api-schema";

// Every type here is read from api-schema.d.ts, which `npm run api:types` generates from the API's
// /openapi.json: the web app and the API cannot drift (a stale file fails the API's unit tests).

type Schemas = components["schemas"];
type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type JsonBody<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

export type Task = Schemas["Task"];
export type Priority = Task["priority"];
export const PRIORITIES = ["low", "medium", "high"] as const satisfies readonly Priority[];

/** Query of `GET /api/{user_id}/tasks`. */
export type ListTasksParams = NonNullable<
  Operation<"/api/{user_id}/tasks", "get">["parameters"]["query"]
>;
export type TaskStatus = NonNullable<ListTasksParams["status"]>;
export type TaskSort = NonNullable<ListTasksParams["sort"]>;
export type SortOrder = NonNullable<ListTasksParams["order"]>;

/** One page of `GET /api/{user_id}/tasks`: body plus the paging headers. */
export interface TaskPage {
  tasks: Task[];
  /** `X-Total-Count`: tasks matching the filters, across all pages (or at least this many). */
  total: number;
  /**
   * The server counted no further (`X-Total-Count: 100+`): there are `total` or more. Exact for
   * a status filter alone; filters beyond it are counted up to a cap (API decision 025).
   */
  totalAtLeast: boolean;
  /** Cursor of the next page, from `Link: <…?cursor=…>; rel="next"`; null on the last page. */
  nextCursor: string | null;
}

/** Body of `POST /api/{user_id}/tasks`. */
export type CreateTaskInput = JsonBody<Operation<"/api/{user_id}/tasks", "post">["requestBody"]>;

/** Body of `PUT /api/{user_id}/tasks/{id}`: any non-empty subset of the writable fields. */
export type UpdateTaskInput = JsonBody<
  Operation<"/api/{user_id}/tasks/{id}", "put">["requestBody"]
>;

/** Body of `PATCH /api/{user_id}/tasks/{id}/complete`: omit to toggle. */
export type SetCompletionInput = Schemas["TaskComplete"];

/**
 * `POST /api/{user_id}/tasks/complete-all`. The document gives `completed` as always present (the
 * server fills in its default, true), but a request may leave it out.
 */
export type CompleteAllInput = Partial<Schemas["CompleteAll"]>;
export type CompleteAllResult = Schemas["UpdatedCount"];

/** `DELETE /api/{user_id}/tasks/completed` */
export type ClearCompletedResult = Schemas["DeletedCount"];

/** A task in the trash, as `GET /api/{user_id}/trash` answers it: a task plus `deleted_at`. */
export type TrashedTask = Schemas["TrashedTask"];

/** One page of `GET /api/{user_id}/trash`, newest deleted first. */
export interface TrashPage {
  tasks: TrashedTask[];
  nextCursor: string | null;
}

/** `DELETE /api/{user_id}/trash` */
export type EmptyTrashResult = Schemas["PurgedCount"];

/** `application/problem+json` error body. */
export type ProblemDetails = Schemas["Problem"];

/** The task's ETag, for If-Match (queued edits, decision 038). */
export function taskEtag(task: Pick<Task, "id" | "version">): string {
  return `"${task.id}-${task.version}"`;
}

export const taskPaths = {
  list: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`,
  one: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/tasks/${id}`,
  complete: (userId: string, id: number) =>
    `/api/${encodeURIComponent(userId)}/tasks/${id}/complete`,
  completeAll: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks/complete-all`,
  clearCompleted: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks/completed`,
  restore: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/tasks/${id}/restore`,
} as const;

export const trashPaths = {
  list: (userId: string) => `/api/${encodeURIComponent(userId)}/trash`,
  one: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/trash/${id}`,
} as const;
