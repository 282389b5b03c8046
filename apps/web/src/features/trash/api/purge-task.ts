import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { taskKeys } from "@/features/tasks/api/task-keys";
import {
  addToCachedTrash,
  cancelTrashRead,
  emptyCachedTrash,
  removeFromCachedTrash,
} from "@/features/tasks/utils/trash-cache";
import { describeError } from "@/lib/api-errors";
import type { TrashedTask } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";

// Both go through the outbox (decision 038): offline they wait, and the trash shows the change at
// once. A task already gone when the purge is sent (restored or purged elsewhere) counts as done.

/** Deletes one task in the trash for good. */
export function usePurgeTask(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    mutationFn: (task: TrashedTask) => writes.submit({ kind: "purge", taskId: task.id }),
    onMutate: async (task) => {
      await cancelTrashRead(queryClient, userId);
      return removeFromCachedTrash(queryClient, userId, new Set([task.id]));
    },
    onSuccess: (_result, task) => toast.show(`Deleted “${task.title}” for good.`),
    onError: (error, _task, removed) => {
      if (removed) addToCachedTrash(queryClient, userId, removed);
      toast.show(`Task not deleted: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) }),
  });
}

/**
 * Deletes every task in the trash for good. Sent later, it empties the trash the server has then,
 * including tasks deleted elsewhere meanwhile.
 */
export function useEmptyTrash(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    mutationFn: () => writes.submit({ kind: "empty-trash" }),
    onMutate: async () => {
      await cancelTrashRead(queryClient, userId);
      return { before: emptyCachedTrash(queryClient, userId) };
    },
    onSuccess: (result) => {
      if (result.queued) {
        toast.show("Trash emptied: its tasks are deleted for good when you are back online.");
        return;
      }
      const purged = result.count ?? 0;
      toast.show(`Deleted ${purged} ${purged === 1 ? "task" : "tasks"} for good.`);
    },
    onError: (error, _variables, context) => {
      if (context?.before) queryClient.setQueryData(taskKeys.trash(userId), context.before);
      toast.show(`Trash not emptied: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) }),
  });
}
