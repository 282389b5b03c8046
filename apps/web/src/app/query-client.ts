import { QueryClient } from "@tanstack/react-query";
import { ApiError, UnauthorizedError } from "@/lib/api-errors";

/** Retry only what may pass on a second try: lost connections and 5xx, never a refusal. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof UnauthorizedError) return false;
  if (error instanceof ApiError) return error.status >= 500;
  return true;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        staleTime: 10_000,
        // A tab the user comes back to, or that regains the network, shows what changed elsewhere
        // meanwhile, even within staleTime (until live updates land): "always", not "if stale".
        refetchOnWindowFocus: "always",
        refetchOnReconnect: "always",
      },
      // "always": offline, a change fails at once and rolls back with a message instead of
      // waiting silently (TanStack's default pauses it until the browser is online again).
      mutations: { retry: false, networkMode: "always" },
    },
  });
}
