import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  adjustPendingCount,
  matchesStatus,
  restoreTasks,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

export interface ToggleTaskVariables {
  id: number;
  completed: boolean;
  /** The version the user saw (sent as If-Match). */
  version?: number;
}

/** Sets completion explicitly (not a blind toggle) so a double click cannot undo itself. */
export function useToggleTask(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    // Offline, the change waits in the outbox and stays on screen (decision 038).
    mutationFn: async ({ id, completed, version }: ToggleTaskVariables) => {
      const result = await writes.submit({
        kind: "complete",
        taskId: id,
        completed,
        version: version ?? null,
      });
      return result.queued ? undefined : result.task;
    },
    onMutate: async ({ id, completed }) => {
      const snapshot = await snapshotTasks(queryClient, userId);
      updateCachedLists(queryClient, userId, (task, filters) => {
        if (task.id !== id) return task;
        const next = {
          ...task,
          completed,
          completed_at: completed ? new Date().toISOString() : null,
        };
        return matchesStatus(next, filters) ? next : null;
      });
      adjustPendingCount(queryClient, userId, completed ? -1 : 1);
      return snapshot;
    },
    // The server's task (its new version above all) replaces the optimistic one at once, so a
    // next change sends a current If-Match instead of meeting a 412 (decision 038).
    onSuccess: (task) => {
      if (task)
        updateCachedLists(queryClient, userId, (cached) => (cached.id === task.id ? task : cached));
    },
    onError: (error, { id, completed }, snapshot) => {
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([id]));
      adjustPendingCount(queryClient, userId, completed ? 1 : -1);
      toast.show(`Task not updated: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
