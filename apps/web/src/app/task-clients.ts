import type { SessionStore } from "@/features/auth/api/session-store";
import { endRefusedSession } from "@/features/auth/api/sign-out";
import { createApiClient } from "@/lib/api-client";
import { createOfflineWrites } from "@/lib/outbox/offline-writes";
import { createIdbOutboxStore } from "@/lib/outbox/outbox-store";
import { createQueryPersister } from "@/lib/query-persister";
import { createQueryClient } from "./query-client";

/** The task screen's clients for one signed-in user; they are dropped with the screen. */
export function createTaskClients(session: SessionStore, userId: string) {
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
  const offlineWrites = createOfflineWrites({
    api: apiClient,
    userId,
    store: createIdbOutboxStore(userId),
  });
  // Saved only while this user is the signed-in one: sign-out deletes what was kept (038).
  const persister = createQueryPersister(userId, () => {
    const state = session.getState();
    return state.status === "ready" && state.session?.user.id === userId;
  });
  return { queryClient, apiClient, offlineWrites, persister };
}
