import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { ApiError, describeError } from "@/lib/api-errors";
import type { Task } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  adjustPendingCount,
  restoreTasks,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { addToCachedTrash, cancelTrashRead, removeFromCachedTrash } from "../utils/trash-cache";
import { useRestoreTask } from "./restore-task";
import { taskKeys } from "./task-keys";

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
      const [snapshot] = await Promise.all([
        snapshotTasks(queryClient, userId),
        cancelTrashRead(queryClient, userId),
      ]);
      updateCachedLists(queryClient, userId, (each) => (each.id === task.id ? null : each));
      if (!task.completed) adjustPendingCount(queryClient, userId, -1);
      addToCachedTrash(queryClient, userId, [task]);
      return snapshot;
    },
    // Undo, online or not: queued, the restore waits in the outbox behind this delete and the
    // task is back on screen at once (decision 038).
    onSuccess: (result, task, snapshot) => {
      toast.show(
        result.queued
          ? `Deleted “${task.title}”: it moves to the trash when you are back online.`
          : `Moved “${task.title}” to the trash.`,
        {
          durationMs: UNDO_TOAST_MS,
          action: { label: "Undo", onClick: () => restore.mutate({ task, before: snapshot }) },
        },
      );
    },
    onError: (error, task, snapshot) => {
      // Already gone (another tab deleted it): what the user asked for.
      if (error instanceof ApiError && error.status === 404) return;
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([task.id]));
      if (!task.completed) adjustPendingCount(queryClient, userId, 1);
      removeFromCachedTrash(queryClient, userId, new Set([task.id]));
      toast.show(`Task not deleted: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
      return queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    },
  });
}
