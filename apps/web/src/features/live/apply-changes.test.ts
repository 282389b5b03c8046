import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/api-types";
import { defaultTaskFilters, type TaskFilters, taskKeys } from "../tasks/api/task-keys";
import type { TaskListData } from "../tasks/utils/task-cache";
import { applyChanges } from "./apply-changes";
import type { ChangeEvent, EventTask } from "./change-event";

const USER = "user-1";

function task(id: number, version: number, fields: Partial<Task> = {}): EventTask {
  return {
    id,
    user_id: USER,
    title: `Task ${id}`,
    description: null,
    completed: false,
    completed_at: null,
    priority: "medium",
    tags: [],
    due_date: null,
    created_at: "2026-11-28T10:00:00.000Z",
    updated_at: "2026-11-28T10:00:00.000Z",
    ...fields,
    version,
    deleted_at: null,
  };
}

/** As the list endpoint answers it: with its version, without `deleted_at`. */
const asCached = ({ deleted_at: _trash, ...cached }: EventTask): Task => cached;

function event(
  op: ChangeEvent["op"],
  t: EventTask,
  seq: number,
  changed: string[] = [],
): ChangeEvent {
  return {
    seq,
    task_id: t.id,
    op,
    version: t.version,
    task: op === "purge" ? null : t,
    changed,
    at: t.updated_at,
  };
}

function cacheWith(tasks: EventTask[], filters: TaskFilters = defaultTaskFilters) {
  const queryClient = new QueryClient();
  const data: TaskListData = {
    pages: [
      { tasks: tasks.map(asCached), total: tasks.length, totalAtLeast: false, nextCursor: null },
    ],
    pageParams: [null],
  };
  queryClient.setQueryData(taskKeys.list(USER, filters), data);
  const list = () => queryClient.getQueryData<TaskListData>(taskKeys.list(USER, filters))?.pages[0];
  return { queryClient, list };
}

describe("applyChanges", () => {
  it("drops an event for a version the cache already has (this tab's own write)", () => {
    const mine = task(1, 3, { title: "Typed here, version 3" });
    const { queryClient, list } = cacheWith([mine]);
    applyChanges(queryClient, USER, [
      event("update", task(1, 2, { title: "Older" }), 5, ["title"]),
    ]);
    applyChanges(queryClient, USER, [
      event("update", task(1, 3, { title: "Same version" }), 6, ["title"]),
    ]);
    expect(list()?.tasks.map((t) => t.title)).toEqual(["Typed here, version 3"]);
  });

  it("replaces a task with a newer version in place", () => {
    const { queryClient, list } = cacheWith([task(2, 1), task(1, 1)]);
    applyChanges(queryClient, USER, [
      event("update", task(1, 2, { title: "Renamed" }), 3, ["title"]),
    ]);
    expect(list()?.tasks.map((t) => t.title)).toEqual(["Task 2", "Renamed"]);
  });

  it("puts a created task at the top and counts it; removes a deleted or purged one", () => {
    const { queryClient, list } = cacheWith([task(1, 1), task(2, 1)]);
    applyChanges(queryClient, USER, [event("create", task(3, 1), 3)]);
    expect(list()?.tasks.map((t) => t.id)).toEqual([3, 1, 2]);
    expect(list()?.total).toBe(3);
    applyChanges(queryClient, USER, [
      event("delete", task(1, 2), 4, ["deleted_at"]),
      event("purge", task(2, 1), 5),
    ]);
    expect(list()?.tasks.map((t) => t.id)).toEqual([3]);
    expect(list()?.total).toBe(1);
  });

  it("drops a task from a pending list once it is completed elsewhere", () => {
    const pending = { ...defaultTaskFilters, status: "pending" as const };
    const { queryClient, list } = cacheWith([task(1, 1), task(2, 1)], pending);
    applyChanges(queryClient, USER, [
      event("update", task(1, 2, { completed: true }), 3, ["completed"]),
    ]);
    expect(list()?.tasks.map((t) => t.id)).toEqual([2]);
  });
});
