import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { describeError } from "@/lib/api-errors";
import { type ClearCompletedResult, taskPaths } from "@/lib/api-types";
import {
  restoreTasks,
  snapshotTaskIds,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

export async function clearCompleted(
  api: ApiClient,
  userId: string,
): Promise<ClearCompletedResult> {
  const { data } = await api.request<ClearCompletedResult>(taskPaths.clearCompleted(userId), {
    method: "DELETE",
  });
  return data;
}

export function useClearCompleted(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => clearCompleted(api, userId),
    onMutate: async () => {
      const snapshot = await snapshotTasks(queryClient, userId);
      updateCachedLists(queryClient, userId, (task) => (task.completed ? null : task));
      return snapshot;
    },
    onSuccess: (result) =>
      toast.show(
        result.deleted === 0
          ? "No completed tasks to clear."
          : `Cleared ${result.deleted} completed ${result.deleted === 1 ? "task" : "tasks"}.`,
      ),
    onError: (error, _variables, snapshot) => {
      if (snapshot)
        restoreTasks(
          queryClient,
          snapshot,
          snapshotTaskIds(snapshot, (task) => task.completed),
        );
      toast.show(`Completed tasks not cleared: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
