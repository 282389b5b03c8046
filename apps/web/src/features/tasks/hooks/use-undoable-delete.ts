import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { Task } from "@/lib/api-types";
import type { DeleteOutcome } from "../utils/pending-deletes";
import { usePendingDeletes } from "./pending-deletes-context";

export const UNDO_WINDOW_MS = 5000;

/**
 * Delete with undo: the task is hidden at once and a toast offers "Undo" for a few seconds; the
 * DELETE is only sent when that window closes. The pending deletes live in an app-wide store, so
 * they are also sent when the page is hidden (with `keepalive`), when this view goes away and
 * before sign-out, always with their owner's token (decisions 012 and 016).
 */
export function useUndoableDelete(userId: string) {
  const store = usePendingDeletes();
  const toast = useToast();
  const toasts = useRef(new Map<number, number>());
  const mounted = useRef(true);
  const pending = useSyncExternalStore(store.subscribe, store.getSnapshot);

  const hiddenTasks = useMemo(
    () =>
      new Map(
        [...pending]
          .filter(([, entry]) => entry.userId === userId)
          .map(([id, entry]) => [id, entry.task]),
      ) as ReadonlyMap<number, Task>,
    [pending, userId],
  );

  const report = useCallback(
    (outcome: DeleteOutcome | null) => {
      toasts.current.delete(outcome?.task.id ?? Number.NaN);
      if (!outcome?.error || outcome.userId !== userId || !mounted.current) return;
      toast.show(`Task not deleted: ${describeError(outcome.error)}`, { tone: "error" });
    },
    [toast, userId],
  );

  const undo = useCallback(
    (id: number) => {
      if (store.cancel(id)) toasts.current.delete(id);
    },
    [store],
  );

  const remove = useCallback(
    (task: Task) => {
      if (!store.add(userId, task)) return;
      const toastId = toast.show(`Deleted “${task.title}”.`, {
        durationMs: UNDO_WINDOW_MS,
        action: { label: "Undo", onClick: () => undo(task.id) },
        onExpire: () => void store.send(task.id).then(report),
      });
      toasts.current.set(task.id, toastId);
    },
    [store, toast, userId, undo, report],
  );

  useEffect(() => {
    mounted.current = true;
    const ownToasts = toasts.current;
    const flush = (keepalive: boolean) => {
      for (const toastId of ownToasts.values()) toast.dismiss(toastId);
      ownToasts.clear();
      return store.flush({ keepalive });
    };
    const onHide = () => {
      if (document.visibilityState === "visible") return;
      void flush(true).then((outcomes) => outcomes.forEach(report));
    };
    window.addEventListener("pagehide", onHide);
    document.addEventListener("visibilitychange", onHide);
    return () => {
      mounted.current = false;
      window.removeEventListener("pagehide", onHide);
      document.removeEventListener("visibilitychange", onHide);
      // Leaving the tasks view (sign-out, another user, 401) makes pending deletes final now.
      void flush(false);
    };
  }, [store, toast, report]);

  return { hiddenTasks, remove, undo };
}
