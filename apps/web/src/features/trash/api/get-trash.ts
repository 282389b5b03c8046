import { infiniteQueryOptions, useInfiniteQuery } from "@tanstack/react-query";
import { parseNextCursor } from "@/features/tasks/api/get-tasks";
import { taskKeys } from "@/features/tasks/api/task-keys";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import { type TrashedTask, type TrashPage, trashPaths } from "@/lib/api-types";

export const TRASH_PAGE_SIZE = 50;

/** One page of the trash, newest deleted first. */
export async function getTrash(
  api: ApiClient,
  userId: string,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<TrashPage> {
  const { data, headers } = await api.request<TrashedTask[]>(trashPaths.list(userId), {
    query: { limit: TRASH_PAGE_SIZE, cursor },
    signal,
  });
  return { tasks: data, nextCursor: parseNextCursor(headers.get("Link")) };
}

export const trashQueryOptions = (api: ApiClient, userId: string) =>
  infiniteQueryOptions({
    queryKey: taskKeys.trash(userId),
    queryFn: ({ pageParam, signal }) => getTrash(api, userId, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export function useTrash(userId: string) {
  const api = useApiClient();
  return useInfiniteQuery(trashQueryOptions(api, userId));
}
