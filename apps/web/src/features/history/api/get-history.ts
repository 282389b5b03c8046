import { queryOptions, useQuery } from "@tanstack/react-query";
import { taskKeys } from "@/features/tasks/api/task-keys";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import type { components } from "@/lib/api-schema";
import { taskPaths } from "@/lib/api-types";

type TaskHistory = components["schemas"]["TaskHistory"];

/** One change of a task, from `GET /api/{user_id}/tasks/{id}/history` (generated types). */
export type HistoryEntry = TaskHistory["entries"][number];
export type HistoryValue = HistoryEntry["changes"][number]["before"];

export async function getHistory(
  api: ApiClient,
  userId: string,
  id: number,
  signal?: AbortSignal,
): Promise<HistoryEntry[]> {
  const { data } = await api.request<TaskHistory>(`${taskPaths.one(userId, id)}/history`, {
    signal,
  });
  return data.entries;
}

/** Read only while `enabled` (the disclosure is open), and again each time it opens. */
export function useTaskHistory(userId: string, id: number, enabled: boolean) {
  const api = useApiClient();
  return useQuery({
    ...queryOptions({
      queryKey: taskKeys.history(userId, id),
      queryFn: ({ signal }) => getHistory(api, userId, id, signal),
    }),
    enabled,
    staleTime: 0,
  });
}
