import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import type { Task, TaskPage } from "@/lib/api-types";
import { type TaskFilters, taskKeys } from "../api/task-keys";
import { keepRenderKey } from "./render-keys";

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

/**
 * Rolls back only the tasks a failed change touched (`affected`), taking them from the snapshot:
 * changes other in-flight mutations made since then are kept. A task the snapshot does not have
 * (an optimistic add) is removed; one the cache lost (dropped by a status filter) is put back at
 * its old place.
 */
export function restoreTasks(
  queryClient: QueryClient,
  snapshot: CacheSnapshot,
  affected: ReadonlySet<number>,
): void {
  for (const [key, before] of snapshot.entries) {
    if (!isTaskList(before)) continue;
    const current = queryClient.getQueryData<TaskListData>(key);
    if (!current) continue;
    const original = new Map<number, { task: Task; page: number; index: number }>();
    before.pages.forEach((page, pageIndex) => {
      page.tasks.forEach((task, index) => {
        if (affected.has(task.id)) original.set(task.id, { task, page: pageIndex, index });
      });
    });
    const seen = new Set<number>();
    let totalDelta = 0;
    const pages = current.pages.map((page) => {
      const tasks: Task[] = [];
      for (const task of page.tasks) {
        const old = original.get(task.id);
        if (old) {
          tasks.push(old.task);
          seen.add(task.id);
        } else if (affected.has(task.id)) {
          totalDelta -= 1;
        } else {
          tasks.push(task);
        }
      }
      return { ...page, tasks };
    });
    for (const [id, old] of original) {
      const page = pages[old.page];
      if (seen.has(id) || !page) continue;
      const tasks = [...page.tasks];
      tasks.splice(Math.min(old.index, tasks.length), 0, old.task);
      pages[old.page] = { ...page, tasks };
      totalDelta += 1;
    }
    const first = pages[0];
    if (first) pages[0] = { ...first, total: Math.max(0, first.total + totalDelta) };
    queryClient.setQueryData<TaskListData>(key, { ...current, pages });
  }
}

/** Ids of the snapshot's cached tasks that match `predicate` (for bulk changes). */
export function snapshotTaskIds(
  snapshot: CacheSnapshot,
  predicate: (task: Task) => boolean,
): Set<number> {
  const ids = new Set<number>();
  for (const [, data] of snapshot.entries) {
    if (!isTaskList(data)) continue;
    for (const page of data.pages)
      for (const task of page.tasks) if (predicate(task)) ids.add(task.id);
  }
  return ids;
}

function isTaskList(data: unknown): data is TaskListData {
  return typeof data === "object" && data !== null && "pages" in data && Array.isArray(data.pages);
}

/** The pending counter as it was in the snapshot (undefined if it was not cached). */
export function snapshotPendingCount(snapshot: CacheSnapshot): number | undefined {
  for (const [key, data] of snapshot.entries) {
    if (key[2] === "pending-count" && typeof data === "number") return data;
  }
  return undefined;
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

/**
 * A task added with a temporary id is on the server now: it takes the server's id and version
 * where it is shown, keeping what is on screen (changes the user made to it meanwhile may still
 * be on their way), so the user's next change names the server's task (decision 038).
 */
export function takeServerId(
  queryClient: QueryClient,
  userId: string,
  localId: number,
  { id, version, created_at }: Task,
): void {
  keepRenderKey(id, localId);
  updateCachedLists(queryClient, userId, (task) =>
    task.id === localId ? { ...task, id, version, created_at } : task,
  );
}

export function adjustPendingCount(queryClient: QueryClient, userId: string, delta: number): void {
  queryClient.setQueryData<number>(taskKeys.pendingCount(userId), (count) =>
    count === undefined ? count : Math.max(0, count + delta),
  );
}

/**
 * Shows a new task, or one that comes back (a restore from the Trash view): replaced where a list
 * has it, otherwise at the top of each list whose status filter it matches, until the lists are
 * read again.
 */
export function showInCachedLists(queryClient: QueryClient, userId: string, task: Task): void {
  for (const [key, data] of queryClient.getQueriesData<TaskListData>({
    queryKey: taskKeys.lists(userId),
  })) {
    const first = data?.pages[0];
    if (!data || !first) continue;
    const present = data.pages.some((page) => page.tasks.some((each) => each.id === task.id));
    if (present) {
      const pages = data.pages.map((page) => ({
        ...page,
        tasks: page.tasks.map((each) => (each.id === task.id ? task : each)),
      }));
      queryClient.setQueryData<TaskListData>(key, { ...data, pages });
    } else if (matchesStatus(task, filtersOf(key))) {
      const pages = [
        { ...first, tasks: [task, ...first.tasks], total: first.total + 1 },
        ...data.pages.slice(1),
      ];
      queryClient.setQueryData<TaskListData>(key, { ...data, pages });
    }
  }
}
