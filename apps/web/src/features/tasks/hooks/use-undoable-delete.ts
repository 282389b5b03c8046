import { useCallback, useEffect, useRef, useState } from "react";
import { useToast } from "@/components/ui/toast";
import { useApiClient } from "@/lib/api-client-context";
import type { Task } from "@/lib/api-types";
import { deleteTask, useDeleteTask } from "../api/delete-task";

export const UNDO_WINDOW_MS = 5000;

interface PendingDelete {
  task: Task;
  toastId: number;
  sent: boolean;
}

/**
 * Delete with undo: the task is hidden at once and a toast offers "Undo" for a few seconds; the
 * DELETE is only sent when that window closes (or right away if the page is hidden or closed, with
 * `keepalive` so it survives unload). Undo therefore never needs to re-create anything.
 */
export function useUndoableDelete(userId: string) {
  const api = useApiClient();
  const toast = useToast();
  const { mutate } = useDeleteTask(userId);
  const pending = useRef(new Map<number, PendingDelete>());
  const [hiddenTasks, setHiddenTasks] = useState<ReadonlyMap<number, Task>>(new Map());

  const sync = useCallback(() => {
    setHiddenTasks(new Map([...pending.current].map(([id, entry]) => [id, entry.task])));
  }, []);

  const commit = useCallback(
    (id: number) => {
      const entry = pending.current.get(id);
      if (!entry || entry.sent) return;
      entry.sent = true;
      mutate(id, {
        onSettled: () => {
          pending.current.delete(id);
          sync();
        },
      });
    },
    [mutate, sync],
  );

  const undo = useCallback(
    (id: number) => {
      const entry = pending.current.get(id);
      if (!entry || entry.sent) return;
      pending.current.delete(id);
      sync();
    },
    [sync],
  );

  const remove = useCallback(
    (task: Task) => {
      if (pending.current.has(task.id)) return;
      const toastId = toast.show(`Deleted “${task.title}”.`, {
        durationMs: UNDO_WINDOW_MS,
        action: { label: "Undo", onClick: () => undo(task.id) },
        onExpire: () => commit(task.id),
      });
      pending.current.set(task.id, { task, toastId, sent: false });
      sync();
    },
    [toast, undo, commit, sync],
  );

  useEffect(() => {
    const flush = () => {
      if (document.visibilityState === "visible") return;
      for (const [id, entry] of pending.current) {
        if (entry.sent) continue;
        entry.sent = true;
        toast.dismiss(entry.toastId);
        deleteTask(api, userId, id, { keepalive: true }).catch(() => {
          // The page is going away; the next load shows the task again if this failed.
        });
      }
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", flush);
    };
  }, [api, userId, toast]);

  return { hiddenTasks, remove, undo };
}
