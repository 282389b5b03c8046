import { queryOptions, useQuery } from "@tanstack/react-query";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { getTasks } from "./get-tasks";
import { taskKeys } from "./task-keys";

/** Number of tasks not completed, whatever the list filters: `X-Total-Count` of a 1-task page. */
export async function getPendingCount(api: ApiClient, userId: string): Promise<number> {
  const page = await getTasks(api, userId, { status: "pending", limit: 1 });
  return page.total;
}

export const pendingCountQueryOptions = (api: ApiClient, userId: string) =>
  queryOptions({
    queryKey: taskKeys.pendingCount(userId),
    queryFn: () => getPendingCount(api, userId),
  });

export function usePendingCount(userId: string) {
  const api = useApiClient();
  return useQuery(pendingCountQueryOptions(api, userId));
}
