import type { SessionStore } from "@/features/auth/api/session-store";
import { endRefusedSession } from "@/features/auth/api/sign-out";
import { createApiClient } from "@/lib/api-client";
import { createQueryClient } from "./query-client";

/** The task screen's clients for one signed-in user; they are dropped with the screen. */
export function createTaskClients(session: SessionStore) {
  const queryClient = createQueryClient();
  const apiClient = createApiClient({
    // The one place a refused session is handled: nothing left to send, the session is ended
    // here and on the server (else a reload would sign back in with the cookie); the route guard
    // then shows sign-in and this screen, with its caches, is unmounted.
    onUnauthorized: () => {
      apiClient.clearToken();
      endRefusedSession(session);
    },
  });
  return { queryClient, apiClient };
}
