import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useApiClient } from "@/lib/api-client-context";
import { startLiveUpdates } from "./start-live-updates";

/** Keeps this user's task queries current with the server's change stream while mounted. */
export function LiveUpdates({ userId }: { userId: string }) {
  const queryClient = useQueryClient();
  const api = useApiClient();
  useEffect(() => {
    const controller = new AbortController();
    startLiveUpdates({
      userId,
      queryClient,
      getToken: (force) => api.getToken({ force }),
      signal: controller.signal,
    });
    return () => controller.abort();
  }, [userId, queryClient, api]);
  return null;
}
