import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { useEffect, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { useSessionStore } from "@/features/auth/api/session-context";
import { SyncStatus } from "@/features/offline/components/sync-status";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { PendingDeletesProvider } from "@/features/tasks/hooks/pending-deletes-context";
import { ApiClientProvider } from "@/lib/api-client-context";
import { OfflineWritesProvider } from "@/lib/outbox/offline-writes-context";
import { followOfflineWrites } from "./online-manager";
import { CACHE_MAX_AGE_MS, CACHE_VERSION } from "./query-client";
import { createTaskClients } from "./task-clients";

/** The signed-in screen, loaded as its own chunk (decision 023), for one user. */
export function TasksScreen({ userId }: { userId: string }) {
  const session = useSessionStore();
  const [{ queryClient, apiClient, pendingDeletes, offlineWrites, persister }] = useState(() =>
    createTaskClients(session, userId),
  );

  // Before sign-out or a change of user in another tab: this user's pending deletes and queued
  // writes go out with this user's token (decisions 016, 038), then the token is forgotten.
  useEffect(
    () =>
      session.beforeChange(async () => {
        await pendingDeletes.flush();
        await offlineWrites.replay();
        apiClient.clearToken();
      }),
    [session, pendingDeletes, offlineWrites, apiClient],
  );

  // Queued writes go out when the network returns; queries wait until they have (decision 038).
  useEffect(() => {
    const stop = offlineWrites.start();
    const unfollow = followOfflineWrites(offlineWrites);
    return () => {
      unfollow();
      stop();
    };
  }, [offlineWrites]);

  return (
    <PersistQueryClientProvider
      client={queryClient}
      persistOptions={{ persister, maxAge: CACHE_MAX_AGE_MS, buster: CACHE_VERSION }}
      // What was saved is shown at once, then read again: it may be days old, and another device
      // may have changed it. Offline (or with writes still queued) the reads wait for the network.
      onSuccess={() => void queryClient.invalidateQueries()}
    >
      <ApiClientProvider client={apiClient}>
        <OfflineWritesProvider writes={offlineWrites}>
          <PendingDeletesProvider store={pendingDeletes}>
            <ToastProvider>
              <h1 className="visually-hidden">Your tasks</h1>
              <SyncStatus />
              <TasksView userId={userId} />
            </ToastProvider>
          </PendingDeletesProvider>
        </OfflineWritesProvider>
      </ApiClientProvider>
    </PersistQueryClientProvider>
  );
}
