import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { Task } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  restoreTasks,
  snapshotTaskIds,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { addToCachedTrash, cancelTrashRead, removeFromCachedTrash } from "../utils/trash-cache";
import { taskKeys } from "./task-keys";

const tasks = (count: number) => `${count} completed ${count === 1 ? "task" : "tasks"}`;

/**
 * "Clear completed" moves the completed tasks to the trash, through the outbox (decision 038):
 * offline it waits with its Idempotency-Key, and when sent it clears the tasks completed on the
 * server then, including any completed elsewhere meanwhile (they can be restored from the trash).
 */
export function useClearCompleted(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    mutationFn: () => writes.submit({ kind: "clear-completed" }),
    onMutate: async () => {
      const [snapshot] = await Promise.all([
        snapshotTasks(queryClient, userId),
        cancelTrashRead(queryClient, userId),
      ]);
      const cleared = new Map<number, Task>();
      updateCachedLists(queryClient, userId, (task) => {
        if (!task.completed) return task;
        cleared.set(task.id, task);
        return null;
      });
      addToCachedTrash(queryClient, userId, [...cleared.values()]);
      return snapshot;
    },
    onSuccess: (result) => {
      if (result.queued) {
        toast.show("Completed tasks cleared: they move to the trash when you are back online.");
        return;
      }
      const count = result.count ?? 0;
      toast.show(count === 0 ? "No completed tasks to clear." : `Cleared ${tasks(count)}.`);
    },
    onError: (error, _variables, snapshot) => {
      if (snapshot) {
        const ids = snapshotTaskIds(snapshot, (task) => task.completed);
        restoreTasks(queryClient, snapshot, ids);
        removeFromCachedTrash(queryClient, userId, ids);
      }
      toast.show(`Completed tasks not cleared: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
      return queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    },
  });
}
