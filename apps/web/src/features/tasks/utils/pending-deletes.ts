import type { QueryClient } from "@tanstack/react-query";
import { ApiError } from "@/lib/api-errors";
import type { Task } from "@/lib/api-types";
import type { OfflineWrites } from "@/lib/outbox/offline-writes";
import { taskKeys } from "../api/task-keys";
import { adjustPendingCount, updateCachedLists } from "./task-cache";

export interface PendingDelete {
  userId: string;
  task: Task;
}

export interface DeleteOutcome extends PendingDelete {
  /** Null when the task is gone (a 404 counts: it is what the user asked for). */
  error: unknown;
}

export interface PendingDeletes {
  /** Hides the task until `send`, `flush` or `cancel`; false if it is already pending. */
  add(userId: string, task: Task): boolean;
  /** Undo: forgets the delete if it has not been sent yet. */
  cancel(id: number): boolean;
  /** Sends one delete now; resolves once the server answered and the caches were updated. */
  send(id: number, options?: { keepalive?: boolean }): Promise<DeleteOutcome | null>;
  /** Sends every pending delete now (sign-out, page hidden, tasks view closed) and waits. */
  flush(options?: { keepalive?: boolean }): Promise<DeleteOutcome[]>;
  /** Forgets every pending delete without sending (the session is already gone). */
  discard(): void;
  subscribe(listener: () => void): () => void;
  getSnapshot(): ReadonlyMap<number, PendingDelete>;
}

/**
 * Deletes waiting for their undo window, owned by the app rather than by a component or a toast,
 * so sign-out can send them with the right user's token before the session ends (decision 016).
 */
export function createPendingDeletes(
  writes: OfflineWrites,
  queryClient: QueryClient,
): PendingDeletes {
  let entries: ReadonlyMap<number, PendingDelete> = new Map();
  const inFlight = new Map<number, Promise<DeleteOutcome>>();
  const listeners = new Set<() => void>();

  const update = (change: (next: Map<number, PendingDelete>) => void) => {
    const next = new Map(entries);
    change(next);
    entries = next;
    for (const listener of listeners) listener();
  };

  async function deliver(
    id: number,
    entry: PendingDelete,
    keepalive: boolean,
  ): Promise<DeleteOutcome> {
    let error: unknown = null;
    try {
      // Offline, the delete waits in the outbox (decision 038); it is final for this screen.
      await writes.submit({ kind: "delete", taskId: id }, { keepalive });
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 404)) error = caught;
    }
    if (error === null) {
      // Drop it from the cache before un-hiding it, so neither the list nor the counter jumps.
      updateCachedLists(queryClient, entry.userId, (task) => (task.id === id ? null : task));
      if (!entry.task.completed) adjustPendingCount(queryClient, entry.userId, -1);
    }
    inFlight.delete(id);
    update((next) => next.delete(id));
    void queryClient.invalidateQueries({ queryKey: taskKeys.all(entry.userId) });
    return { ...entry, error };
  }

  const send: PendingDeletes["send"] = (id, { keepalive = false } = {}) => {
    const running = inFlight.get(id);
    if (running) return running;
    const entry = entries.get(id);
    if (!entry) return Promise.resolve(null);
    const delivery = deliver(id, entry, keepalive);
    inFlight.set(id, delivery);
    return delivery;
  };

  return {
    add(userId, task) {
      if (entries.has(task.id)) return false;
      update((next) => next.set(task.id, { userId, task }));
      return true;
    },
    cancel(id) {
      if (!entries.has(id) || inFlight.has(id)) return false;
      update((next) => next.delete(id));
      return true;
    },
    send,
    async flush(options) {
      const outcomes = await Promise.all([...entries.keys()].map((id) => send(id, options)));
      return outcomes.filter((outcome) => outcome !== null);
    },
    discard() {
      if ([...entries.keys()].every((id) => inFlight.has(id))) return;
      update((next) => {
        for (const id of next.keys()) if (!inFlight.has(id)) next.delete(id);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => entries,
  };
}
