import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { ApiClient } from "@/lib/api-client";
import { useApiClient } from "@/lib/api-client-context";
import {
  type ListTasksParams,
  type SortOrder,
  type Task,
  type TaskPage,
  type TaskSort,
  taskPaths,
} from "@/lib/api-types";
import { type TaskFilters, taskKeys } from "./task-keys";

export const PAGE_SIZE = 50;

/** The natural direction of each sort: newest, soonest due, most urgent, A to Z. */
export const sortOrder: Record<TaskSort, SortOrder> = {
  created: "desc",
  updated: "desc",
  due_date: "asc",
  priority: "desc",
  title: "asc",
};

/** Reads the cursor out of `Link: <…?cursor=abc>; rel="next"`. */
export function parseNextCursor(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) {
      return new URL(match[1], "http://placeholder").searchParams.get("cursor");
    }
  }
  return null;
}

/**
 * Reads `X-Total-Count`: `57` is exact, `100+` a lower bound. A missing or unreadable header
 * falls back to the page's own tasks, a lower bound when more pages follow.
 */
export function parseTotal(
  header: string | null,
  page: { tasks: number; hasMore: boolean },
): Pick<TaskPage, "total" | "totalAtLeast"> {
  const match = /^(\d+)(\+)?$/.exec(header?.trim() ?? "");
  if (!match) return { total: page.tasks, totalAtLeast: page.hasMore };
  return { total: Number(match[1]), totalAtLeast: match[2] === "+" };
}

export async function getTasks(
  api: ApiClient,
  userId: string,
  params: ListTasksParams,
  signal?: AbortSignal,
): Promise<TaskPage> {
  const { data, headers } = await api.request<Task[]>(taskPaths.list(userId), {
    query: { ...params },
    signal,
  });
  const nextCursor = parseNextCursor(headers.get("Link"));
  return {
    tasks: data,
    ...parseTotal(headers.get("X-Total-Count"), {
      tasks: data.length,
      hasMore: nextCursor !== null,
    }),
    nextCursor,
  };
}

export function toListParams(filters: TaskFilters): ListTasksParams {
  const params: ListTasksParams = {
    status: filters.status,
    sort: filters.sort,
    order: sortOrder[filters.sort],
    limit: PAGE_SIZE,
  };
  const q = filters.q.trim();
  if (q) params.q = q;
  if (filters.priority) params.priority = filters.priority;
  if (filters.tag) params.tag = filters.tag;
  return params;
}

export const tasksInfiniteQueryOptions = (api: ApiClient, userId: string, filters: TaskFilters) =>
  infiniteQueryOptions({
    queryKey: taskKeys.list(userId, filters),
    queryFn: ({ pageParam, signal }) => {
      const params = toListParams(filters);
      if (pageParam) params.cursor = pageParam;
      return getTasks(api, userId, params, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    placeholderData: keepPreviousData,
  });

export function useTasks(userId: string, filters: TaskFilters) {
  const api = useApiClient();
  return useInfiniteQuery(tasksInfiniteQueryOptions(api, userId, filters));
}
