import type { Priority, TaskSort, TaskStatus } from "@/lib/api-types";

/** What the task list shows; lives in the URL. */
export interface TaskFilters {
  status: TaskStatus;
  q: string;
  priority: Priority | null;
  tag: string | null;
  sort: TaskSort;
}

export const defaultTaskFilters: TaskFilters = {
  status: "all",
  q: "",
  priority: null,
  tag: null,
  sort: "created",
};

export const taskKeys = {
  all: (userId: string) => ["tasks", userId] as const,
  lists: (userId: string) => ["tasks", userId, "list"] as const,
  list: (userId: string, filters: TaskFilters) => ["tasks", userId, "list", filters] as const,
  pendingCount: (userId: string) => ["tasks", userId, "pending-count"] as const,
  /** Outside "tasks": the trash's pages are not task lists, which task-cache.ts rewrites. */
  trash: (userId: string) => ["trash", userId] as const,
  history: (userId: string, id: number) => ["history", userId, id] as const,
};
