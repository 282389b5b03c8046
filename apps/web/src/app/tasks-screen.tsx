import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { useSessionStore } from "@/features/auth/api/session-context";
import { LiveUpdates } from "@/features/live/live-updates";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { TrashView } from "@/features/trash/components/trash-view";
import { ApiClientProvider } from "@/lib/api-client-context";
import { Link, useLocation } from "@/lib/router";
import { createTaskClients } from "./task-clients";

/** The signed-in screen, loaded as its own chunk (decision 023), for one user. */
export function TasksScreen({ userId }: { userId: string }) {
  const session = useSessionStore();
  const [{ queryClient, apiClient }] = useState(() => createTaskClients(session));
  const { pathname } = useLocation();
  const inTrash = pathname === "/trash";

  // Before sign-out or a change of user in another tab, the token is forgotten (decision 016).
  // Deletes no longer wait in the page for an undo window (decision 039): nothing to send first.
  useEffect(
    () =>
      session.beforeChange(async () => {
        apiClient.clearToken();
      }),
    [session, apiClient],
  );

  return (
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
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
          {inTrash ? <TrashView userId={userId} /> : <TasksView userId={userId} />}
        </ToastProvider>
      </ApiClientProvider>
    </QueryClientProvider>
  );
}
