import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { describeError } from "@/lib/api-errors";
import { type SetCompletionInput, type Task, taskPaths } from "@/lib/api-types";
import {
  adjustPendingCount,
  matchesStatus,
  restoreTasks,
  snapshotTasks,
  updateCachedLists,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

/** Sets completion explicitly (not a blind toggle) so a double click cannot undo itself. */
export async function setTaskCompletion(
  api: ApiClient,
  userId: string,
  id: number,
  input: SetCompletionInput,
): Promise<Task> {
  const { data } = await api.request<Task>(taskPaths.complete(userId, id), {
    method: "PATCH",
    body: input,
  });
  return data;
}

export interface ToggleTaskVariables {
  id: number;
  completed: boolean;
}

export function useToggleTask(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ id, completed }: ToggleTaskVariables) =>
      setTaskCompletion(api, userId, id, { completed }),
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
    onError: (error, { id, completed }, snapshot) => {
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([id]));
      adjustPendingCount(queryClient, userId, completed ? 1 : -1);
      toast.show(`Task not updated: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
