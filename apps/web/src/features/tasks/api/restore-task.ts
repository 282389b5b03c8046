import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { describeError } from "@/lib/api-errors";
import { type Task, taskPaths } from "@/lib/api-types";
import { taskKeys } from "./task-keys";

/**
 * Brings a task back from the trash. Restoring a task that is already back answers it as it is,
 * so a second click or a retry is harmless.
 */
export async function restoreTask(api: ApiClient, userId: string, id: number): Promise<Task> {
  const { data } = await api.request<Task>(`${taskPaths.one(userId, id)}/restore`, {
    method: "POST",
  });
  return data;
}

export function useRestoreTask(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (task: Pick<Task, "id" | "title">) => restoreTask(api, userId, task.id),
    onSuccess: (_restored, task) => toast.show(`Restored “${task.title}”.`),
    onError: (error) => {
      toast.show(`Task not restored: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
      return queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    },
  });
}
