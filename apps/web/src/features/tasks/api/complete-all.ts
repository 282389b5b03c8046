import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { describeError } from "@/lib/api-errors";
import { type CompleteAllInput, type CompleteAllResult, taskPaths } from "@/lib/api-types";
import {
  matchesStatus,
  restoreTasks,
  snapshotPendingCount,
  snapshotTaskIds,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

export async function completeAll(
  api: ApiClient,
  userId: string,
  input: CompleteAllInput,
): Promise<CompleteAllResult> {
  const { data } = await api.request<CompleteAllResult>(taskPaths.completeAll(userId), {
    method: "POST",
    body: input,
  });
  return data;
}

export function useCompleteAll(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => completeAll(api, userId, { completed: true }),
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
