import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { ApiError, describeError } from "@/lib/api-errors";
import { type Task, taskPaths } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  adjustPendingCount,
  restoreTasks,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { useRestoreTask } from "./restore-task";
import { taskKeys } from "./task-keys";

/** Moves one task to the trash (API decision 039): it can be restored from there. */
export async function deleteTask(api: ApiClient, userId: string, id: number): Promise<void> {
  await api.request<void>(taskPaths.one(userId, id), { method: "DELETE" });
}

/** How long the toast offers "Undo" (a restore); the Trash view keeps the task 30 days. */
export const UNDO_TOAST_MS = 8000;

/**
 * Delete at once, undo with a restore (decision 039, replacing the delayed DELETE of 012 and 016): the task
 * leaves the lists now, the DELETE goes out now, and the toast's "Undo" sends POST …/restore.
 * Nothing waits in the page, so there is nothing to flush on page hide, sign-out or another tab.
 */
export function useDeleteTask(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const restore = useRestoreTask(userId);
  const writes = useOfflineWrites();
  return useMutation({
    // Offline, the delete waits in the outbox (decision 038).
    mutationFn: (task: Task) => writes.submit({ kind: "delete", taskId: task.id }),
    onMutate: async (task) => {
      const snapshot = await snapshotTasks(queryClient, userId);
      updateCachedLists(queryClient, userId, (each) => (each.id === task.id ? null : each));
      if (!task.completed) adjustPendingCount(queryClient, userId, -1);
      return snapshot;
    },
    onSuccess: (result, task) => {
      // Queued: there is nothing on the server to restore yet.
      if (result.queued) {
        toast.show(`Deleted “${task.title}”: it moves to the trash when you are back online.`);
        return;
      }
      toast.show(`Moved “${task.title}” to the trash.`, {
        durationMs: UNDO_TOAST_MS,
        action: { label: "Undo", onClick: () => restore.mutate(task) },
      });
    },
    onError: (error, task, snapshot) => {
      // Already gone (another tab deleted it): what the user asked for.
      if (error instanceof ApiError && error.status === 404) return;
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([task.id]));
      if (!task.completed) adjustPendingCount(queryClient, userId, 1);
      toast.show(`Task not deleted: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
      return queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    },
  });
}
