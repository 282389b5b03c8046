import { onlineManager, type QueryClient } from "@tanstack/react-query";
import { taskKeys } from "../tasks/api/task-keys";
import { applyChanges } from "./apply-changes";
import type { ChangeEvent } from "./change-event";
import { runChangeStream } from "./change-stream";

type Message = { type: "events"; events: ChangeEvent[] } | { type: "resync"; bookmark: number };

/**
 * Live updates for one signed-in user in this tab (API decision 036). One tab per browser holds
 * the stream (the leader, elected with a Web Lock) and shares what it reads with the other tabs
 * over a BroadcastChannel; when it closes, another tab takes over from its own last seq. Without
 * Web Locks every tab streams for itself (the server allows 10 per user).
 *
 * Events wait while a mutation of this tab is in flight, or its offline outbox still holds writes
 * (which keeps TanStack's online manager offline: web decision 038): its optimistic tasks
 * (temporary ids) and their answers are settled first, then events for versions the tab already
 * has are dropped.
 */
export function startLiveUpdates(options: {
  userId: string;
  queryClient: QueryClient;
  getToken(force: boolean): Promise<string>;
  signal: AbortSignal;
}): void {
  const { userId, queryClient, signal } = options;
  let lastSeq: number | null = null;
  let waiting: ChangeEvent[] = [];

  const flush = () => {
    if (waiting.length === 0 || queryClient.isMutating() > 0 || !onlineManager.isOnline()) return;
    const events = waiting;
    waiting = [];
    applyChanges(queryClient, userId, events);
  };
  const receive = (events: ChangeEvent[]) => {
    const fresh = events.filter((event) => lastSeq === null || event.seq > lastSeq);
    if (fresh.length === 0) return;
    lastSeq = fresh[fresh.length - 1]?.seq ?? lastSeq;
    waiting.push(...fresh);
    flush();
  };
  const resync = (bookmark: number) => {
    lastSeq = bookmark;
    waiting = [];
    void queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
  };
  const unsubscribe = queryClient.getMutationCache().subscribe(() => queueMicrotask(flush));
  const unfollowOnline = onlineManager.subscribe(() => queueMicrotask(flush));

  const channel =
    typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(`todo-live:${userId}`);
  channel?.addEventListener("message", (message: MessageEvent<Message>) => {
    if (message.data.type === "events") receive(message.data.events);
    else resync(message.data.bookmark);
  });

  const stream = () =>
    runChangeStream({
      userId,
      getToken: options.getToken,
      lastSeq: () => lastSeq,
      onEvents: (events) => {
        receive(events);
        channel?.postMessage({ type: "events", events } satisfies Message);
      },
      onResync: (bookmark) => {
        resync(bookmark);
        channel?.postMessage({ type: "resync", bookmark } satisfies Message);
      },
      signal,
    });

  const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
  if (locks) {
    locks
      .request(`todo-live:${userId}`, { signal }, stream)
      // Aborted while waiting for the lock: this tab is closing or signing out.
      .catch(() => {});
  } else {
    void stream();
  }
  signal.addEventListener("abort", () => {
    unsubscribe();
    unfollowOnline();
    channel?.close();
  });
}
