import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { ToastProvider } from "@/components/ui/toast";
import { type ApiClient, createApiClient } from "@/lib/api-client";
import { ApiClientProvider } from "@/lib/api-client-context";

/** Renders with the app's providers around a fake fetch. */
export function renderWithApp(
  ui: ReactElement,
  { fetch, route = "/" }: { fetch: typeof globalThis.fetch; route?: string },
) {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: false, staleTime: Number.POSITIVE_INFINITY },
      mutations: { retry: false },
    },
  });
  const api: ApiClient = createApiClient({ fetch });
  window.history.replaceState(null, "", route);
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ApiClientProvider client={api}>
        <ToastProvider>{ui}</ToastProvider>
      </ApiClientProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, apiClient: api };
}

export function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
