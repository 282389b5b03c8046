import { QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { useSessionStore } from "@/features/auth/api/session-context";
import { LiveUpdates } from "@/features/live/live-updates";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { PendingDeletesProvider } from "@/features/tasks/hooks/pending-deletes-context";
import { ApiClientProvider } from "@/lib/api-client-context";
import { createTaskClients } from "./task-clients";

/** The signed-in screen, loaded as its own chunk (decision 023), for one user. */
export function TasksScreen({ userId }: { userId: string }) {
  const session = useSessionStore();
  const [{ queryClient, apiClient, pendingDeletes }] = useState(() => createTaskClients(session));

  // Before sign-out or a change of user in another tab: this user's pending deletes go out with
  // this user's token (decision 016), then the token is forgotten.
  useEffect(
    () =>
      session.beforeChange(async () => {
        await pendingDeletes.flush();
        apiClient.clearToken();
      }),
    [session, pendingDeletes, apiClient],
  );

  return (
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
        <PendingDeletesProvider store={pendingDeletes}>
          <ToastProvider>
            <h1 className="visually-hidden">Your tasks</h1>
            <LiveUpdates userId={userId} />
            <TasksView userId={userId} />
          </ToastProvider>
        </PendingDeletesProvider>
      </ApiClientProvider>
    </QueryClientProvider>
  );
}
