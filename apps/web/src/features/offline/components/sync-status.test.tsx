import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { createFakeApi, makeTask } from "@/test/fake-api";
import { renderWithApp } from "@/test/render";
import { describeOfflineEvent, SyncStatus } from "./sync-status";

function setup() {
  const api = createFakeApi([makeTask({ id: 1, title: "Buy milk" })]);
  const network = { up: true };
  const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    network.up ? api.fetch(input, init) : Promise.reject(new TypeError("Failed to fetch"));
  const view = renderWithApp(
    <>
      <SyncStatus />
      <TasksView userId="user-1" />
    </>,
    { fetch },
  );
  return { api, network, ...view };
}

const goOffline = (online: boolean) => {
  vi.spyOn(navigator, "onLine", "get").mockReturnValue(online);
  window.dispatchEvent(new Event(online ? "online" : "offline"));
};

describe("changes made without a network", () => {
  it("stay on screen, are counted, and are sent once the network is back", async () => {
    const { api, network, offlineWrites } = setup();
    const stop = offlineWrites.start();
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Buy milk" });

    network.up = false;
    act(() => goOffline(false));
    expect(await screen.findByRole("status")).toHaveTextContent("You are offline.");
    await user.click(screen.getByRole("checkbox", { name: "Done: “Buy milk”" }));
    await user.type(screen.getByRole("textbox", { name: "New task title" }), "Call mom{Enter}");

    expect(
      await screen.findByText("You are offline. 2 changes will be sent when you reconnect."),
    ).toBeInTheDocument();
    // Not rolled back, no error: the changes wait.
    expect(screen.getByRole("checkbox", { name: "Done: “Buy milk”" })).toBeChecked();
    expect(screen.getByRole("heading", { name: "Call mom" })).toBeInTheDocument();
    expect(screen.queryByText(/not updated|not added/)).toBeNull();
    expect(api.writes()).toEqual([]);

    network.up = true;
    act(() => goOffline(true));
    await waitFor(() => expect(screen.queryByRole("status")).toBeNull());
    expect(api.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      "PATCH /api/user-1/tasks/1/complete",
      "POST /api/user-1/tasks",
    ]);
    expect(api.tasks().map((t) => `${t.title}:${t.completed}`)).toEqual([
      "Buy milk:true",
      "Call mom:false",
    ]);
    stop();
  });
});

describe("describeOfflineEvent", () => {
  it("names the fields where the other change was kept, and what was refused", () => {
    const task = makeTask({ title: "Buy milk" });
    expect(describeOfflineEvent({ type: "conflict", task, fields: ["title", "due_date"] })).toBe(
      "“Buy milk” was also changed elsewhere: its title, due date kept the other change.",
    );
    expect(
      describeOfflineEvent({
        type: "refused",
        write: { key: "k", kind: "create", input: { title: "Call mom" } },
        error: new Error("Title too long."),
      }),
    ).toBe("“Call mom” not added: Title too long.");
  });
});
