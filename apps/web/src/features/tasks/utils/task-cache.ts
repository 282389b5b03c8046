import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import type { Task, TaskPage } from "@/lib/api-types";
import { type TaskFilters, taskKeys } from "../api/task-keys";

export type TaskListData = InfiniteData<TaskPage, string | null>;

export interface CacheSnapshot {
  entries: [QueryKey, unknown][];
}

/** Stops in-flight list fetches and remembers every cached task query, for rollback. */
export async function snapshotTasks(
  queryClient: QueryClient,
  userId: string,
): Promise<CacheSnapshot> {
  await queryClient.cancelQueries({ queryKey: taskKeys.all(userId) });
  return { entries: queryClient.getQueriesData({ queryKey: taskKeys.all(userId) }) };
}

export function restoreTasks(queryClient: QueryClient, snapshot: CacheSnapshot): void {
  for (const [key, data] of snapshot.entries) queryClient.setQueryData(key, data);
}

function filtersOf(key: QueryKey): TaskFilters | null {
  const filters = key[3];
  return typeof filters === "object" && filters !== null ? (filters as TaskFilters) : null;
}

export function matchesStatus(task: Task, filters: TaskFilters | null): boolean {
  if (!filters || filters.status === "all") return true;
  return filters.status === "completed" ? task.completed : !task.completed;
}

/**
 * Rewrites every cached task list: `update` returns the new task, or null to drop it from that list.
 * `total` follows the number of tasks dropped.
 */
export function updateCachedLists(
  queryClient: QueryClient,
  userId: string,
  update: (task: Task, filters: TaskFilters | null) => Task | null,
): void {
  for (const [key, data] of queryClient.getQueriesData<TaskListData>({
    queryKey: taskKeys.lists(userId),
  })) {
    if (!data) continue;
    const filters = filtersOf(key);
    let dropped = 0;
    const pages = data.pages.map((page) => {
      const tasks: Task[] = [];
      for (const task of page.tasks) {
        const next = update(task, filters);
        if (next) tasks.push(next);
        else dropped += 1;
      }
      return { ...page, tasks };
    });
    const first = pages[0];
    if (first) pages[0] = { ...first, total: Math.max(0, first.total - dropped) };
    queryClient.setQueryData<TaskListData>(key, { ...data, pages });
  }
}

/** Puts a new task at the top of every cached list whose status filter it matches. */
export function prependToCachedLists(queryClient: QueryClient, userId: string, task: Task): void {
  for (const [key, data] of queryClient.getQueriesData<TaskListData>({
    queryKey: taskKeys.lists(userId),
  })) {
    const first = data?.pages[0];
    if (!data || !first || !matchesStatus(task, filtersOf(key))) continue;
    const pages = [
      { ...first, tasks: [task, ...first.tasks], total: first.total + 1 },
      ...data.pages.slice(1),
    ];
    queryClient.setQueryData<TaskListData>(key, { ...data, pages });
  }
}

export function adjustPendingCount(queryClient: QueryClient, userId: string, delta: number): void {
  queryClient.setQueryData<number>(taskKeys.pendingCount(userId), (count) =>
    count === undefined ? count : Math.max(0, count + delta),
  );
}
