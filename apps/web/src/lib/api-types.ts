/**
 * Types of the task API (see docs/web.md and the API contract). Framework-free: any frontend can
 * import this file together with `api-client.ts` and `api-errors.ts`.
 */

export type Priority = "low" | "medium" | "high";
export const PRIORITIES: readonly Priority[] = ["low", "medium", "high"];

export interface Task {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: Priority;
  tags: string[];
  due_date: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped by every write; the ETag is `"<id>-<version>"` (sent as If-Match by queued edits). */
  version?: number;
}

export type TaskStatus = "all" | "pending" | "completed";
export type TaskSort = "created" | "updated" | "title" | "due_date" | "priority";
export type SortOrder = "asc" | "desc";

/** Query of `GET /api/{user_id}/tasks`. */
export interface ListTasksParams {
  status?: TaskStatus;
  q?: string;
  priority?: Priority;
  tag?: string;
  due_before?: string;
  due_after?: string;
  sort?: TaskSort;
  order?: SortOrder;
  limit?: number;
  cursor?: string;
}

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
export interface CreateTaskInput {
  title: string;
  description?: string | null;
  priority?: Priority;
  tags?: string[];
  due_date?: string | null;
  completed?: boolean;
}

/** Body of `PUT /api/{user_id}/tasks/{id}`: any non-empty subset of the writable fields. */
export type UpdateTaskInput = Partial<CreateTaskInput>;

/** Body of `PATCH /api/{user_id}/tasks/{id}/complete`: omit to toggle. */
export interface SetCompletionInput {
  completed?: boolean;
}

/** `POST /api/{user_id}/tasks/complete-all` */
export interface CompleteAllInput {
  completed?: boolean;
}
export interface CompleteAllResult {
  updated: number;
}

/** `DELETE /api/{user_id}/tasks/completed` */
export interface ClearCompletedResult {
  deleted: number;
}

/** `application/problem+json` error body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id?: string;
  errors?: { path: string; message: string }[];
}

/** The task's ETag, for If-Match; null when the version is unknown (an older server). */
export function taskEtag(task: Pick<Task, "id" | "version">): string | null {
  return task.version === undefined ? null : `"${task.id}-${task.version}"`;
}

export const taskPaths = {
  list: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks`,
  one: (userId: string, id: number) => `/api/${encodeURIComponent(userId)}/tasks/${id}`,
  complete: (userId: string, id: number) =>
    `/api/${encodeURIComponent(userId)}/tasks/${id}/complete`,
  completeAll: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks/complete-all`,
  clearCompleted: (userId: string) => `/api/${encodeURIComponent(userId)}/tasks/completed`,
} as const;
