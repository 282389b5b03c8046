import type { QueryClient, QueryKey } from "@tanstack/react-query";
import type { Task } from "@/lib/api-types";
import { type TaskFilters, taskKeys } from "../tasks/api/task-keys";
import { matchesStatus, type TaskListData } from "../tasks/utils/task-cache";
import { type ChangeEvent, type EventTask, versionOf } from "./change-event";

/** Fields whose change can move a task into or out of a filtered or sorted list. */
const LIST_FIELDS = new Set(["completed", "priority", "tags", "title", "description", "due_date"]);

const filtersOf = (key: QueryKey) => (key[3] ?? null) as TaskFilters | null;

/** A list whose membership and order follow from the status alone: newest created first. */
const isPlainList = (filters: TaskFilters | null) =>
  !filters ||
  (filters.q === "" &&
    filters.priority === null &&
    filters.tag === null &&
    filters.sort === "created");

const asTask = (task: EventTask): Task => {
  const { deleted_at: _trash, ...rest } = task;
  return rest;
};

/** The newest version of the task in any cached list, or undefined when none holds it. */
function cachedVersion(queryClient: QueryClient, userId: string, id: number) {
  let newest: number | undefined;
  for (const [, data] of queryClient.getQueriesData<TaskListData>({
    queryKey: taskKeys.lists(userId),
  })) {
    for (const page of data?.pages ?? []) {
      for (const task of page.tasks) {
        if (task.id !== id) continue;
        const version = versionOf(task) ?? 0;
        newest = newest === undefined ? version : Math.max(newest, version);
      }
    }
  }
  return newest;
}

/**
 * Puts one event into every cached list, in place where that is unambiguous; a list it cannot
 * place the task in exactly (a search, a filter, another sort) is refetched instead. Returns
 * whether the pending counter may have moved.
 */
function applyOne(queryClient: QueryClient, userId: string, event: ChangeEvent): boolean {
  const present = cachedVersion(queryClient, userId, event.task_id);
  // This tab already shows this version or a newer one (its own write, or an earlier event).
  if (event.op !== "purge" && present !== undefined && present >= event.version) return false;
  const gone = event.op === "delete" || event.op === "purge" || !event.task;
  const task = event.task && !gone ? asTask(event.task) : null;
  const touchesLists = event.changed.some((field) => LIST_FIELDS.has(field));
  const stale: QueryKey[] = [];

  for (const [key, data] of queryClient.getQueriesData<TaskListData>({
    queryKey: taskKeys.lists(userId),
  })) {
    if (!data) continue;
    const filters = filtersOf(key);
    const holds = data.pages.some((page) => page.tasks.some((t) => t.id === event.task_id));
    if (!task) {
      if (!holds) continue;
      const removed = countIn(data, event.task_id);
      const pages = data.pages.map((page, index) => {
        const tasks = page.tasks.filter((t) => t.id !== event.task_id);
        return index === 0
          ? { ...page, tasks, total: Math.max(0, page.total - removed) }
          : { ...page, tasks };
      });
      queryClient.setQueryData<TaskListData>(key, { ...data, pages });
    } else if (holds) {
      if (touchesLists && !isPlainList(filters)) {
        stale.push(key);
        continue;
      }
      const keep = matchesStatus(task, filters);
      const pages = data.pages.map((page, index) => {
        const tasks = keep
          ? page.tasks.map((t) => (t.id === task.id ? task : t))
          : page.tasks.filter((t) => t.id !== task.id);
        const total = !keep && index === 0 ? Math.max(0, page.total - 1) : page.total;
        return { ...page, tasks, total };
      });
      queryClient.setQueryData<TaskListData>(key, { ...data, pages });
    } else if (!isPlainList(filters) || (event.op === "update" && touchesLists)) {
      // Absent here, and it may belong here now (a filter it matches, a status it moved into).
      stale.push(key);
    } else if (event.op !== "update" && matchesStatus(task, filters)) {
      const [first, ...rest] = data.pages;
      if (!first) continue;
      queryClient.setQueryData<TaskListData>(key, {
        ...data,
        pages: [{ ...first, tasks: [task, ...first.tasks], total: first.total + 1 }, ...rest],
      });
    }
  }
  for (const key of stale) void queryClient.invalidateQueries({ queryKey: key, exact: true });
  // The trash and a task's history are read whole; they are refetched if shown, else marked stale.
  if (event.op !== "create" && event.op !== "update") {
    void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
  }
  void queryClient.invalidateQueries({ queryKey: taskKeys.history(userId, event.task_id) });
  return event.op !== "update" || event.changed.includes("completed");
}

function countIn(data: TaskListData, id: number) {
  return data.pages.reduce((sum, page) => sum + page.tasks.filter((t) => t.id === id).length, 0);
}

/**
 * Applies change events from the stream to the task queries of this tab. While a list is being
 * fetched, its answer may predate these events and would overwrite them: the fetch is restarted
 * instead (it then includes them, since they are committed), which also settles any temporary
 * task of this tab's own optimistic add.
 */
export function applyChanges(
  queryClient: QueryClient,
  userId: string,
  events: readonly ChangeEvent[],
): void {
  if (events.length === 0) return;
  if (queryClient.isFetching({ queryKey: taskKeys.lists(userId) }) > 0) {
    void queryClient.invalidateQueries({ queryKey: taskKeys.all(userId) });
    void queryClient.invalidateQueries({ queryKey: taskKeys.trash(userId) });
    return;
  }
  let countMoved = false;
  for (const event of events) countMoved = applyOne(queryClient, userId, event) || countMoved;
  if (countMoved) void queryClient.invalidateQueries({ queryKey: taskKeys.pendingCount(userId) });
}
