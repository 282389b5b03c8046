import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { ApiError, describeError } from "@/lib/api-errors";
import { taskPaths } from "@/lib/api-types";
import { taskKeys } from "./task-keys";

export async function deleteTask(
  api: ApiClient,
  userId: string,
  id: number,
  options: { keepalive?: boolean } = {},
): Promise<void> {
  await api.request<void>(taskPaths.one(userId, id), { method: "DELETE", ...options });
}

/**
 * Sends the DELETE once the undo window has passed. The task is already hidden by the pending
 * deletes (see use-undoable-delete); on failure it comes back with a message.
 */
export function useDeleteTask(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (id: number) => deleteTask(api, userId, id),
    onError: (error) => {
      // A task already gone is what the user wanted.
      if (error instanceof ApiError && error.status === 404) return;
      toast.show(`Task not deleted: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
