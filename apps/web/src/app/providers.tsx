import { QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { sessionQueryKey } from "@/features/auth/api/get-session";
import { createApiClient } from "@/lib/api-client";
import { ApiClientProvider } from "@/lib/api-client-context";
import { createQueryClient } from "./query-client";

function createClients() {
  const queryClient = createQueryClient();
  const apiClient = createApiClient({
    // The one place a refused session is handled: forget the user; the route guard then shows
    // the sign-in screen.
    onUnauthorized: () => {
      queryClient.removeQueries({ queryKey: ["tasks"] });
      queryClient.setQueryData(sessionQueryKey, null);
    },
  });
  return { queryClient, apiClient };
}

export function AppProviders({ children }: { children: ReactNode }) {
  const [{ queryClient, apiClient }] = useState(createClients);
  return (
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={apiClient}>
        <ToastProvider>{children}</ToastProvider>
      </ApiClientProvider>
    </QueryClientProvider>
  );
}
