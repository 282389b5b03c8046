import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useOfflineWrites } from "@/lib/outbox/offline-writes-context";
import { takeServerId } from "../utils/task-cache";

/** A task added offline takes its server id on screen when its create is replayed (038). */
export function useOfflineCreates(userId: string): void {
  const queryClient = useQueryClient();
  const writes = useOfflineWrites();
  useEffect(
    () =>
      writes.onEvent((event) => {
        if (event.type === "created") takeServerId(queryClient, userId, event.localId, event.task);
      }),
    [writes, queryClient, userId],
  );
}
