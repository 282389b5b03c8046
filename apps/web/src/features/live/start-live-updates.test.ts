import { onlineManager, QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultTaskFilters, taskKeys } from "../tasks/api/task-keys";
import type { TaskListData } from "../tasks/utils/task-cache";
import type { ChangeEvent } from "./change-event";
import { startLiveUpdates } from "./start-live-updates";

const USER = "user-live";

const created: ChangeEvent = {
  seq: 1,
  task_id: 7,
  op: "create",
  version: 1,
  task: {
    id: 7,
    user_id: USER,
    title: "From another device",
    description: null,
    completed: false,
    completed_at: null,
    priority: "medium",
    tags: [],
    due_date: null,
    created_at: "2026-11-28T10:00:00.000Z",
    updated_at: "2026-11-28T10:00:00.000Z",
    version: 1,
    deleted_at: null,
  },
  changed: [],
  at: "2026-11-28T10:00:00.000Z",
};

afterEach(() => onlineManager.setOnline(true));

describe("startLiveUpdates", () => {
  it("holds events from the leader tab while this tab's outbox keeps it offline", async () => {
    const queryClient = new QueryClient();
    const key = taskKeys.list(USER, defaultTaskFilters);
    const empty: TaskListData = {
      pages: [{ tasks: [], total: 0, totalAtLeast: false, nextCursor: null }],
      pageParams: [null],
    };
    queryClient.setQueryData(key, empty);
    const titles = () =>
      queryClient.getQueryData<TaskListData>(key)?.pages[0]?.tasks.map((task) => task.title);
    const controller = new AbortController();
    // This tab waits for the stream's lock (another tab leads) and hears events on the channel.
    vi.stubGlobal("navigator", { ...navigator, locks: { request: () => new Promise(() => {}) } });
    onlineManager.setOnline(false);
    startLiveUpdates({
      userId: USER,
      queryClient,
      getToken: async () => "token",
      signal: controller.signal,
    });
    const leader = new BroadcastChannel(`todo-live:${USER}`);
    try {
      leader.postMessage({ type: "events", events: [created] });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(titles()).toEqual([]);
      onlineManager.setOnline(true);
      await vi.waitFor(() => expect(titles()).toEqual(["From another device"]));
    } finally {
      leader.close();
      controller.abort();
      vi.unstubAllGlobals();
    }
  });
});
