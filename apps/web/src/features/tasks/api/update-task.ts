import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { Task, UpdateTaskInput } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import { restoreTasks, snapshotTasks, updateCachedLists } from "../utils/task-cache";
import { taskKeys } from "./task-keys";

export interface UpdateTaskVariables {
  id: number;
  input: UpdateTaskInput;
  /** The task as the user saw it: its version (If-Match) and the values they changed. */
  base?: Task;
}

/** The values `input` replaces, as they were in `base` (for the merge after a 412). */
function valuesBefore(base: Task | undefined, input: UpdateTaskInput): UpdateTaskInput {
  const before: Record<string, unknown> = {};
  for (const field of Object.keys(input) as (keyof UpdateTaskInput)[]) {
    before[field] = base?.[field] ?? null;
  }
  return before as UpdateTaskInput;
}

export function useUpdateTask(userId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    // Offline, the change waits in the outbox and stays on screen (decision 038).
    mutationFn: async ({ id, input, base }: UpdateTaskVariables) => {
      const result = await writes.submit({
        kind: "update",
        taskId: id,
        changes: input,
        base: valuesBefore(base, input),
        version: base?.version ?? null,
      });
      return result.queued ? undefined : result.task;
    },
    onMutate: async ({ id, input }) => {
      const snapshot = await snapshotTasks(queryClient, userId);
      // A field absent from `input` is unchanged; one present as null is cleared.
      updateCachedLists(queryClient, userId, (task) =>
        task.id === id ? { ...task, ...input } : task,
      );
      return snapshot;
    },
    // The server's task (its new version above all) replaces the optimistic one at once, so a
    // next change sends a current If-Match instead of meeting a 412 (decision 038).
    onSuccess: (task) => {
      if (task)
        updateCachedLists(queryClient, userId, (cached) => (cached.id === task.id ? task : cached));
    },
    onError: (error, { id }, snapshot) => {
      if (snapshot) restoreTasks(queryClient, snapshot, new Set([id]));
      toast.show(`Change not saved: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
