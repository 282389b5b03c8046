import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { type ApiClient, createApiClient } from "@/lib/api-client";
import { ApiClientProvider } from "@/lib/api-client-context";
import { createOfflineWrites } from "@/lib/outbox/offline-writes";
import { OfflineWritesProvider } from "@/lib/outbox/offline-writes-context";
import { createIdbOutboxStore } from "@/lib/outbox/outbox-store";

/** Renders with the app's providers around a fake fetch. */
export function renderWithApp(
  ui: ReactElement,
  { fetch, route = "/" }: { fetch: typeof globalThis.fetch; route?: string },
) {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: false, staleTime: Number.POSITIVE_INFINITY },
      // As in the app (query-client.ts): offline, changes go to the outbox, not on hold.
      mutations: { retry: false, networkMode: "always" },
    },
  });
  const api: ApiClient = createApiClient({ fetch });
  const outbox = createIdbOutboxStore("user-1");
  const offlineWrites = createOfflineWrites({ api, userId: "user-1", store: outbox });
  window.history.replaceState(null, "", route);
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={api}>
        <OfflineWritesProvider writes={offlineWrites}>
          <ToastProvider>{ui}</ToastProvider>
        </OfflineWritesProvider>
      </ApiClientProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, apiClient: api, offlineWrites, outbox };
}

export function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
