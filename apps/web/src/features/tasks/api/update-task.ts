import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { describeError } from "@/lib/api-errors";
import { type Task, taskPaths, type UpdateTaskInput } from "@/lib/api-types";
import { restoreTasks, snapshotTasks, updateCachedLists } from "../utils/task-cache";
import { taskKeys } from "./task-keys";

export async function updateTask(
  api: ApiClient,
  userId: string,
  id: number,
  input: UpdateTaskInput,
): Promise<Task> {
  const { data } = await api.request<Task>(taskPaths.one(userId, id), {
    method: "PUT",
    body: input,
  });
  return data;
}

export interface UpdateTaskVariables {
  id: number;
  input: UpdateTaskInput;
}

export function useUpdateTask(userId: string) {
  const api = useApiClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ id, input }: UpdateTaskVariables) => updateTask(api, userId, id, input),
    onMutate: async ({ id, input }) => {
      const snapshot = await snapshotTasks(queryClient, userId);
      // A field absent from `input` is unchanged; one present as null is cleared.
      updateCachedLists(queryClient, userId, (task) =>
        task.id === id ? { ...task, ...input } : task,
      );
      return snapshot;
    },
    onError: (error, { id }, snapshot) => {
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([id]));
      toast.show(`Change not saved: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
