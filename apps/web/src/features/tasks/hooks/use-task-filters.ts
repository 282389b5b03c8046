import { useCallback, useMemo } from "react";
import { PRIORITIES, type Priority, type TaskSort, type TaskStatus } from "@/lib/api-types";
import { useSearchParams } from "@/lib/router";
import { defaultTaskFilters, type TaskFilters } from "../api/task-keys";

const STATUSES: readonly TaskStatus[] = ["all", "pending", "completed"];
export const SORTS: readonly TaskSort[] = ["created", "due_date", "priority", "title"];

function pick<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.find((item) => item === value) ?? fallback;
}

/** Filters live in the URL (`?status=pending&q=milk&priority=high&tag=home&sort=title`). */
export function useTaskFilters(): [
  TaskFilters,
  (change: Partial<TaskFilters>, options?: { replace?: boolean }) => void,
] {
  const [params, setParams] = useSearchParams();

  const filters = useMemo<TaskFilters>(() => {
    const priority = params.get("priority");
    return {
      status: pick(params.get("status"), STATUSES, defaultTaskFilters.status),
      q: params.get("q") ?? "",
      priority: PRIORITIES.find((p): p is Priority => p === priority) ?? null,
      tag: params.get("tag") || null,
      sort: pick(params.get("sort"), SORTS, defaultTaskFilters.sort),
    };
  }, [params]);

  const update = useCallback(
    (change: Partial<TaskFilters>, options: { replace?: boolean } = {}) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(change)) {
            const isDefault =
              value === null ||
              value === "" ||
              value === defaultTaskFilters[key as keyof TaskFilters];
            if (isDefault) next.delete(key);
            else next.set(key, String(value));
          }
          return next;
        },
        { replace: options.replace ?? false },
      );
    },
    [setParams],
  );

  return [filters, update];
}
