import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Task, TrashedTask, TrashPage } from "@/lib/api-types";
import { taskKeys } from "../api/task-keys";

// Optimistic changes to the cached trash (decision 038): offline, a delete, a restore or a purge
// shows in the Trash view at once, and the trash is read again once the outbox is sent. Without
// a cached trash nothing is done: it is read when the view opens.

export type TrashData = InfiniteData<TrashPage, string | null>;

/** Stops a trash read in flight, so its answer cannot overwrite an optimistic change. */
export async function cancelTrashRead(queryClient: QueryClient, userId: string): Promise<void> {
  await queryClient.cancelQueries({ queryKey: taskKeys.trash(userId) });
}

/** The trash's order: newest deleted first, as the API pages it. */
const newestDeletedFirst = (a: TrashedTask, b: TrashedTask) =>
  b.deleted_at.localeCompare(a.deleted_at) || b.id - a.id;

/** Puts tasks into the cached trash: just deleted (stamped now), or put back after a refusal. */
export function addToCachedTrash(
  queryClient: QueryClient,
  userId: string,
  tasks: readonly (Task | TrashedTask)[],
): void {
  if (tasks.length === 0) return;
  const now = new Date().toISOString();
  const added = tasks.map(
    (task): TrashedTask => ("deleted_at" in task ? task : { ...task, deleted_at: now }),
  );
  const ids = new Set(added.map((task) => task.id));
  queryClient.setQueryData<TrashData>(taskKeys.trash(userId), (data) => {
    if (!data || data.pages.length === 0) return data;
    const pages = data.pages.map((page) => ({
      ...page,
      tasks: page.tasks.filter((task) => !ids.has(task.id)),
    }));
    const [first, ...rest] = pages;
    if (!first) return data;
    return {
      ...data,
      pages: [{ ...first, tasks: [...added, ...first.tasks].sort(newestDeletedFirst) }, ...rest],
    };
  });
}

/** Takes tasks out of the cached trash; answers those it took, to put back after a refusal. */
export function removeFromCachedTrash(
  queryClient: QueryClient,
  userId: string,
  ids: ReadonlySet<number>,
): TrashedTask[] {
  const removed: TrashedTask[] = [];
  queryClient.setQueryData<TrashData>(taskKeys.trash(userId), (data) => {
    if (!data) return data;
    const pages = data.pages.map((page) => ({
      ...page,
      tasks: page.tasks.filter((task) => {
        if (!ids.has(task.id)) return true;
        removed.push(task);
        return false;
      }),
    }));
    return { ...data, pages };
  });
  return removed;
}

/** Shows the cached trash empty; answers what it held, to put back after a refusal. */
export function emptyCachedTrash(queryClient: QueryClient, userId: string): TrashData | undefined {
  const before = queryClient.getQueryData<TrashData>(taskKeys.trash(userId));
  if (before)
    queryClient.setQueryData<TrashData>(taskKeys.trash(userId), {
      pages: [{ tasks: [], nextCursor: null }],
      pageParams: [null],
    });
  return before;
}
