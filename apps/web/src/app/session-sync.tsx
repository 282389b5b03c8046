import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useToast } from "@/components/ui/toast";
import { type Session, sessionQueryKey, useSession } from "@/features/auth/api/get-session";
import { usePendingDeletes } from "@/features/tasks/hooks/pending-deletes-context";
import { useApiClient } from "@/lib/api-client-context";
import { onSessionChangeElsewhere } from "@/lib/session-channel";

/**
 * Keeps this tab on the same user as the server: re-reads the session when the tab becomes
 * visible or another tab signs in or out, and clears one user's toasts when another takes over.
 */
export function SessionSync() {
  const queryClient = useQueryClient();
  const api = useApiClient();
  const pendingDeletes = usePendingDeletes();
  const toast = useToast();
  const session = useSession();
  const userId = session.isSuccess ? (session.data?.user.id ?? null) : undefined;
  const previous = useRef(userId);

  useEffect(() => {
    if (userId === undefined) return;
    if (previous.current !== undefined && previous.current !== userId) toast.dismissAll();
    previous.current = userId;
  }, [userId, toast]);

  useEffect(() => {
    const recheck = () => queryClient.invalidateQueries({ queryKey: sessionQueryKey });
    const onVisible = () => {
      if (document.visibilityState === "visible") void recheck();
    };
    const stop = onSessionChangeElsewhere(async () => {
      // The previous user's deletes go out with their token before it is forgotten.
      await pendingDeletes.flush();
      api.clearToken();
      await recheck();
      const current = queryClient.getQueryData<Session | null>(sessionQueryKey);
      queryClient.removeQueries({
        queryKey: ["tasks"],
        predicate: (query) => query.queryKey[1] !== current?.user.id,
      });
    });
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [queryClient, api, pendingDeletes]);

  return null;
}
