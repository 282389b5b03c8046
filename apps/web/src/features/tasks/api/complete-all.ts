import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  matchesStatus,
  restoreTasks,
  snapshotPendingCount,
  snapshotTaskIds,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

/**
 * "Mark all complete", through the outbox (decision 038): offline it waits with its
 * Idempotency-Key, and when sent it completes the tasks the server has then, including any added
 * elsewhere meanwhile.
 */
export function useCompleteAll(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    mutationFn: () => writes.submit({ kind: "complete-all", completed: true }),
    onMutate: async () => {
      const snapshot = await snapshotTasks(queryClient, userId);
      const now = new Date().toISOString();
      updateCachedLists(queryClient, userId, (task, filters) => {
        const next = task.completed ? task : { ...task, completed: true, completed_at: now };
        return matchesStatus(next, filters) ? next : null;
      });
      queryClient.setQueryData<number>(taskKeys.pendingCount(userId), 0);
      return snapshot;
    },
    onError: (error, _variables, snapshot) => {
      if (snapshot) {
        restoreTasks(
          queryClient,
          snapshot,
          snapshotTaskIds(snapshot, (task) => !task.completed),
        );
        queryClient.setQueryData(taskKeys.pendingCount(userId), snapshotPendingCount(snapshot));
      }
      toast.show(`Tasks not completed: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
