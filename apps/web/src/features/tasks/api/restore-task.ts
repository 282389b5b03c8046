import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { Task, TrashedTask } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  adjustPendingCount,
  type CacheSnapshot,
  restoreTasks,
  showInCachedLists,
  updateCachedLists,
} from "../utils/task-cache";
import { addToCachedTrash, cancelTrashRead, removeFromCachedTrash } from "../utils/trash-cache";
import { taskKeys } from "./task-keys";

export interface RestoreTaskVariables {
  task: Task | TrashedTask;
  /** The lists before the delete this undoes: the task goes back to its place in each. */
  before?: CacheSnapshot;
}

function withoutDeletedAt(task: Task | TrashedTask): Task {
  if (!("deleted_at" in task)) return task;
  const { deleted_at: _deletedAt, ...live } = task;
  return live;
}

/**
 * Brings a task back from the trash (API decision 039), through the outbox (decision 038): offline
 * it waits behind the delete it undoes, and the task is back on screen at once. Restoring a task
 * that is already back answers it as it is, so a second click or a retry is harmless.
 */
export function useRestoreTask(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  const dropFromLists = (task: Task | TrashedTask) => {
    updateCachedLists(queryClient, userId, (each) => (each.id === task.id ? null : each));
    if (!task.completed) adjustPendingCount(queryClient, userId, -1);
  };
  return useMutation({
    mutationFn: ({ task }: RestoreTaskVariables) =>
      writes.submit({ kind: "restore", taskId: task.id }),
    onMutate: async ({ task, before }) => {
      // No list or trash read in flight may overwrite what is shown next.
      await Promise.all([
        queryClient.cancelQueries({ queryKey: taskKeys.all(userId) }),
        cancelTrashRead(queryClient, userId),
      ]);
      const fromTrash = removeFromCachedTrash(queryClient, userId, new Set([task.id]));
      if (before) restoreTasks(queryClient, before, new Set([task.id]));
      else showInCachedLists(queryClient, userId, withoutDeletedAt(task));
      if (!task.completed) adjustPendingCount(queryClient, userId, 1);
      return { fromTrash };
    },
    onSuccess: (result, { task }) => {
      if (result.queued) {
        toast.show(`Restored “${task.title}”.`);
        return;
      }
      // No task: it was deleted for good meanwhile (emptied trash, another device).
      if (!result.task) {
        dropFromLists(task);
        toast.show(`“${task.title}” was deleted for good and cannot be restored.`, {
          tone: "error",
        });
        return;
      }
      const restored = result.task;
      updateCachedLists(queryClient, userId, (each) => (each.id === restored.id ? restored : each));
      toast.show(`Restored “${task.title}”.`);
    },
    onError: (error, { task }, context) => {
      dropFromLists(task);
      if (context) addToCachedTrash(queryClient, userId, context.fromTrash);
      toast.show(`Task not restored: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
      return queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    },
  });
}
