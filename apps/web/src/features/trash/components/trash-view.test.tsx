import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { followOfflineWrites } from "@/app/online-manager";
import { TaskHistory } from "@/features/history/components/task-history";
import { TasksView } from "@/features/tasks/components/tasks-view";
import { createFakeApi, makeTask } from "@/test/fake-api";
import { createNetwork } from "@/test/network";
import { renderWithApp } from "@/test/render";
import { TrashView } from "./trash-view";

/** A fake API whose trash holds these tasks (deleted through the API, newest first). */
async function withTrash(titles: string[]) {
  const api = createFakeApi(titles.map((title, i) => makeTask({ id: i + 1, title })));
  for (const task of [...api.tasks()]) {
    await api.fetch(`/api/user-1/tasks/${task.id}`, { method: "DELETE" });
  }
  api.requests.length = 0;
  return api;
}

const item = (title: string) => within(screen.getByRole("listitem", { name: title }));

describe("TrashView", () => {
  it("lists deleted tasks, restores one, deletes one forever", async () => {
    const api = await withTrash(["Old", "Older", "Kept"]);
    const user = userEvent.setup();
    renderWithApp(<TrashView userId="user-1" />, { fetch: api.fetch });
    expect(await screen.findByRole("heading", { name: "Kept" })).toBeInTheDocument();

    await user.click(item("Old").getByRole("button", { name: "Restore “Old”" }));
    await waitFor(() => expect(api.tasks().map((t) => t.title)).toEqual(["Old"]));
    expect(api.writes()[0]).toMatchObject({ method: "POST", path: "/api/user-1/tasks/1/restore" });
    await waitFor(() =>
      expect(screen.queryByRole("heading", { name: "Old" })).not.toBeInTheDocument(),
    );

    await user.click(item("Older").getByRole("button", { name: "Delete “Older” forever" }));
    await waitFor(() => expect(api.trash().map((t) => t.title)).toEqual(["Kept"]));
    expect(api.writes()[1]).toMatchObject({ method: "DELETE", path: "/api/user-1/trash/2" });
    expect(await screen.findByText("Deleted “Older” for good.")).toBeInTheDocument();
  });

  it("empties the trash only after a second, explicit click", async () => {
    const api = await withTrash(["A", "B"]);
    const user = userEvent.setup();
    renderWithApp(<TrashView userId="user-1" />, { fetch: api.fetch });
    await screen.findByRole("heading", { name: "A" });
    await user.click(screen.getByRole("button", { name: "Empty trash" }));
    expect(api.writes()).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Keep them" }));
    await user.click(screen.getByRole("button", { name: "Empty trash" }));
    await user.click(screen.getByRole("button", { name: "Delete all forever" }));
    expect(await screen.findByText("The trash is empty.")).toBeInTheDocument();
    expect(api.writes()).toEqual([
      expect.objectContaining({ method: "DELETE", path: "/api/user-1/trash" }),
    ]);
    expect(screen.getByRole("button", { name: "Empty trash" })).toBeDisabled();
  });
});

describe("TrashView offline", () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  /** Renders `ui` online; `network` switches the network off and on. */
  function renderOffline(
    api: ReturnType<typeof createFakeApi>,
    ui = <TrashView userId="user-1" />,
  ) {
    const network = createNetwork(api.fetch);
    const view = renderWithApp(ui, { fetch: network.fetch });
    // As in the app: queries refetch once the outbox is sent, not as soon as the network is back.
    stops.push(followOfflineWrites(view.offlineWrites), view.offlineWrites.start());
    const sent = () =>
      api
        .writes()
        .map((r) => `${r.method} ${r.path} ${r.headers.get("Idempotency-Key") ?? ""}`.trim());
    return { network, sent, user: userEvent.setup(), ...view };
  }
  const trashed = () =>
    within(screen.getByRole("list", { name: "Deleted tasks" }))
      .getAllByRole("heading")
      .map((heading) => heading.textContent);

  it("restores and deletes forever at once, and sends both when back online", async () => {
    const api = await withTrash(["Old", "Older", "Kept"]);
    const { network, sent, user } = renderOffline(api);
    await screen.findByRole("heading", { name: "Kept" });
    network.setOnline(false);
    await user.click(item("Old").getByRole("button", { name: "Restore “Old”" }));
    await user.click(item("Older").getByRole("button", { name: "Delete “Older” forever" }));
    expect(trashed()).toEqual(["Kept"]);
    expect(await screen.findByText("Deleted “Older” for good.")).toBeInTheDocument();
    expect(screen.queryByText(/not restored|not deleted/)).toBeNull();
    expect(sent()).toEqual([]);

    network.setOnline(true);
    await waitFor(() =>
      expect(sent()).toEqual([
        expect.stringMatching(/^POST \/api\/user-1\/tasks\/1\/restore [\w-]{36}$/),
        "DELETE /api/user-1/trash/2",
      ]),
    );
    expect(api.tasks().map((t) => t.title)).toEqual(["Old"]);
    expect(api.trash().map((t) => t.title)).toEqual(["Kept"]);
    await waitFor(() => expect(api.requests.at(-1)?.method).toBe("GET"));
    expect(trashed()).toEqual(["Kept"]);
  });

  it("empties the trash at once offline, and sends it with its Idempotency-Key", async () => {
    const api = await withTrash(["A", "B"]);
    const { network, sent, user } = renderOffline(api);
    await screen.findByRole("heading", { name: "A" });
    network.setOnline(false);
    await user.click(screen.getByRole("button", { name: "Empty trash" }));
    await user.click(screen.getByRole("button", { name: "Delete all forever" }));
    expect(await screen.findByText("The trash is empty.")).toBeInTheDocument();
    expect(
      await screen.findByText(
        "Trash emptied: its tasks are deleted for good when you are back online.",
      ),
    ).toBeInTheDocument();
    expect(sent()).toEqual([]);

    network.setOnline(true);
    await waitFor(() =>
      expect(sent()).toEqual([expect.stringMatching(/^DELETE \/api\/user-1\/trash [\w-]{36}$/)]),
    );
    expect(api.trash()).toEqual([]);
  });

  it("shows a task deleted offline in the trash at once, where it can be restored", async () => {
    const api = createFakeApi([
      makeTask({ id: 1, title: "Buy milk" }),
      makeTask({ id: 2, title: "Walk" }),
    ]);
    const { network, sent, user } = renderOffline(
      api,
      <>
        <TasksView userId="user-1" />
        <TrashView userId="user-1" />
      </>,
    );
    expect(await screen.findByText("The trash is empty.")).toBeInTheDocument();
    await screen.findByRole("heading", { name: "Buy milk" });
    network.setOnline(false);
    await user.click(screen.getByRole("button", { name: "Delete “Buy milk”" }));
    await waitFor(() => expect(trashed()).toEqual(["Buy milk"]));
    await user.click(item("Buy milk").getByRole("button", { name: "Restore “Buy milk”" }));
    expect(await screen.findByText("The trash is empty.")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Buy milk" })).toBeInTheDocument();
    expect(sent()).toEqual([]);

    network.setOnline(true);
    await waitFor(() =>
      expect(sent()).toEqual([
        "DELETE /api/user-1/tasks/1",
        expect.stringMatching(/^POST \/api\/user-1\/tasks\/1\/restore [\w-]{36}$/),
      ]),
    );
    expect(api.trash()).toEqual([]);
    expect(
      api
        .tasks()
        .map((t) => t.title)
        .sort(),
    ).toEqual(["Buy milk", "Walk"]);
  });
});

describe("TaskHistory", () => {
  it("reads the history only when opened", async () => {
    const api = createFakeApi([makeTask({ id: 7, title: "Plan trip" })]);
    const user = userEvent.setup();
    renderWithApp(<TaskHistory userId="user-1" taskId={7} />, { fetch: api.fetch });
    expect(api.requests.filter((r) => r.path.endsWith("/history"))).toEqual([]);
    await user.click(screen.getByText("History"));
    expect(await screen.findByText("Created")).toBeInTheDocument();
    expect(screen.getByText("title: “Plan trip”")).toBeInTheDocument();
    expect(api.requests.filter((r) => r.path === "/api/user-1/tasks/7/history")).toHaveLength(1);
  });
});
