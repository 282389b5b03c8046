import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { useEffect, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { useSessionStore } from "@/features/auth/api/session-context";
import { LiveUpdates } from "@/features/live/live-updates";
import { SyncStatus } from "@/features/offline/components/sync-status";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { TrashView } from "@/features/trash/components/trash-view";
import { ApiClientProvider } from "@/lib/api-client-context";
import { OfflineWritesProvider } from "@/lib/outbox/offline-writes-context";
import { Link, useLocation } from "@/lib/router";
import { followOfflineWrites } from "./online-manager";
import { CACHE_MAX_AGE_MS, CACHE_VERSION } from "./query-client";
import { createTaskClients } from "./task-clients";

/** The signed-in screen, loaded as its own chunk (decision 023), for one user. */
export function TasksScreen({ userId }: { userId: string }) {
  const session = useSessionStore();
  const [{ queryClient, apiClient, offlineWrites, persister }] = useState(() =>
    createTaskClients(session, userId),
  );
  const { pathname } = useLocation();
  const inTrash = pathname === "/trash";

  // Before sign-out or a change of user in another tab: this user's queued writes go out with
  // this user's token (decision 038), then the token is forgotten (decision 016). Deletes no
  // longer wait in the page for an undo window (decision 039).
  useEffect(
    () =>
      session.beforeChange(async () => {
        await offlineWrites.replay();
        apiClient.clearToken();
      }),
    [session, offlineWrites, apiClient],
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
          <ToastProvider>
            <h1 className="visually-hidden">{inTrash ? "Your trash" : "Your tasks"}</h1>
            <LiveUpdates userId={userId} />
            <nav className="screen-nav" aria-label="Views">
              <Link to="/" aria-current={inTrash ? undefined : "page"}>
                Tasks
              </Link>
              <Link to="/trash" aria-current={inTrash ? "page" : undefined}>
                Trash
              </Link>
            </nav>
            <SyncStatus />
            {inTrash ? <TrashView userId={userId} /> : <TasksView userId={userId} />}
          </ToastProvider>
        </OfflineWritesProvider>
      </ApiClientProvider>
    </PersistQueryClientProvider>
  );
}
