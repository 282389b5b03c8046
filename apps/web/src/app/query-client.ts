import { QueryClient } from "@tanstack/react-query";
import { ApiError, UnauthorizedError } from "@/lib/api-errors";

/** Retry only what may pass on a second try: lost connections and 5xx, never a refusal. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (error instanceof UnauthorizedError) return false;
  if (error instanceof ApiError) return error.status >= 500;
  return true;
}

/**
 * How long the tasks kept in IndexedDB may be shown without a network (decision 038). Queries
 * live as long in memory, else one not on screen would be dropped and so not saved.
 */
export const CACHE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Bumped when the shape of cached data changes: older saved caches are then ignored. */
export const CACHE_VERSION = "1";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        staleTime: 10_000,
        gcTime: CACHE_MAX_AGE_MS,
        // A tab the user comes back to, or that regains the network, shows what changed elsewhere
        // meanwhile, even within staleTime (until live updates land): "always", not "if stale".
        refetchOnWindowFocus: "always",
        refetchOnReconnect: "always",
      },
      // "always": a change runs at once, online or not. Offline it does not fail: the task writes
      // queue it in their own outbox (IndexedDB), which survives reloads, keeps the order and is
      // replayed when the network returns (decision 038). TanStack's paused mutations would
      // live in memory only and run again on their own, without the idempotency key and the
      // If-Match merge the replay needs.
      mutations: { retry: false, networkMode: "always" },
    },
  });
}
