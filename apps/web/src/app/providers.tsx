import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { sessionQueryKey } from "@/features/auth/api/get-session";
import { signOut } from "@/features/auth/api/sign-out";
import { PendingDeletesProvider } from "@/features/tasks/hooks/pending-deletes-context";
import { createPendingDeletes } from "@/features/tasks/utils/pending-deletes";
import { createApiClient } from "@/lib/api-client";
import { ApiClientProvider } from "@/lib/api-client-context";
import { announceSessionChange } from "@/lib/session-channel";
import { createQueryClient } from "./query-client";
import { SessionSync } from "./session-sync";

function createClients() {
  const queryClient = createQueryClient();
  const apiClient = createApiClient({
    // The one place a refused session is handled: end it on the server too (else a reload
    // would sign back in with the cookie), forget the user; the route guard shows sign-in.
    onUnauthorized: () => {
      // Signed out first, so no task view is left to refetch what is removed next.
      queryClient.setQueryData(sessionQueryKey, null);
      pendingDeletes.discard();
      apiClient.clearToken();
      queryClient.removeQueries({ queryKey: ["tasks"] });
      void signOut()
        .catch(() => undefined)
        .finally(announceSessionChange);
    },
  });
  const pendingDeletes = createPendingDeletes(apiClient, queryClient);
  return { queryClient, apiClient, pendingDeletes };
}

export function AppProviders({ children }: { children: ReactNode }) {
  const [{ queryClient, apiClient, pendingDeletes }] = useState(createClients);
  return (
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
        <PendingDeletesProvider store={pendingDeletes}>
          <ToastProvider>
            <SessionSync />
            {children}
          </ToastProvider>
        </PendingDeletesProvider>
      </ApiClientProvider>
    </QueryClientProvider>
  );
}
