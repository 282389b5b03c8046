import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { taskKeys } from "@/features/tasks/api/task-keys";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { ApiError, describeError } from "@/lib/api-errors";
import { type EmptyTrashResult, type TrashedTask, trashPaths } from "./trash-types";

/** Deletes one task in the trash for good. */
export async function purgeTask(api: ApiClient, userId: string, id: number): Promise<void> {
  await api.request<void>(trashPaths.one(userId, id), { method: "DELETE" });
}

/** Deletes every task in the trash for good. */
export async function emptyTrash(api: ApiClient, userId: string): Promise<EmptyTrashResult> {
  const { data } = await api.request<EmptyTrashResult>(trashPaths.list(userId), {
    method: "DELETE",
  });
  return data;
}

export function usePurgeTask(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (task: TrashedTask) => purgeTask(api, userId, task.id),
    onSuccess: (_result, task) => toast.show(`Deleted “${task.title}” for good.`),
    onError: (error) => {
      // Gone already (restored or purged elsewhere): the refetch below shows where it is.
      if (error instanceof ApiError && error.status === 404) return;
      toast.show(`Task not deleted: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) }),
  });
}

export function useEmptyTrash(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => emptyTrash(api, userId),
    onSuccess: ({ purged }) =>
      toast.show(`Deleted ${purged} ${purged === 1 ? "task" : "tasks"} for good.`),
    onError: (error) => toast.show(`Trash not emptied: ${describeError(error)}`, { tone: "error" }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) }),
  });
}
