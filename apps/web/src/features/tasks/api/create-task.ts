import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { CreateTaskInput } from "@/lib/api-types";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import {
  adjustPendingCount,
  restoreTasks,
  showInCachedLists,
  snapshotTasks,
  takeServerId,
} from "../utils/task-cache";
import { taskKeys } from "./task-keys";

// Below any id given before a reload: an offline add kept in the cache keeps its own id.
let temporaryId = -Date.now();

/**
 * The id a new task has on screen until the server gives it one. Negative, so it never names a
 * server task; writes to it wait for the create and are then sent to the server's task (038).
 */
export function nextTemporaryId(): number {
  temporaryId -= 1;
  return temporaryId;
}

export interface NewTask {
  input: CreateTaskInput;
  localId: number;
}

export function useCreateTask(
  userId: string,
  { onRefused }: { onRefused?: (input: CreateTaskInput) => void } = {},
) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const writes = useOfflineWrites();
  return useMutation({
    // Offline, the task waits in the outbox and stays on screen (decision 038).
    mutationFn: async ({ input, localId }: NewTask) => {
      const result = await writes.submit({ kind: "create", input, localId });
      return result.queued ? undefined : result.task;
    },
    onMutate: async ({ input, localId: id }) => {
      const snapshot = await snapshotTasks(queryClient, userId);
      const now = new Date().toISOString();
      showInCachedLists(queryClient, userId, {
        id,
        user_id: userId,
        title: input.title,
        description: input.description ?? null,
        completed: input.completed ?? false,
        completed_at: null,
        priority: input.priority ?? "medium",
        tags: input.tags ?? [],
        due_date: input.due_date ?? null,
        created_at: now,
        updated_at: now,
        // Not on the server yet: its first version there is 1.
        version: 0,
      });
      if (!input.completed) adjustPendingCount(queryClient, userId, 1);
      return { snapshot, id };
    },
    // The server's id takes the temporary one's place at once, so changes name its task without
    // waiting for the refetch (which, offline, may not come for a while).
    onSuccess: (task, _variables, context) => {
      if (task && context) takeServerId(queryClient, userId, context.id, task);
    },
    onError: (error, { input }, context) => {
      if (context) {
        restoreTasks(queryClient, context.snapshot, new Set([context.id]));
        if (!input.completed) adjustPendingCount(queryClient, userId, -1);
      }
      onRefused?.(input);
      toast.show(`Task not added: ${describeError(error)}`, { tone: "error" });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) }),
  });
}
