import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { followOfflineWrites } from "@/app/online-manager";
import { SyncStatus } from "@/features/offline/components/sync-status";
import { useLocation } from "@/lib/router";
import { createFakeApi, json, makeTask, problem } from "@/test/fake-api";
import { createNetwork } from "@/test/network";
import { deferred, renderWithApp } from "@/test/render";
import { TasksView } from "./tasks-view";

function setup(
  tasks = [makeTask({ id: 1, title: "Buy milk" }), makeTask({ id: 2, title: "Walk the dog" })],
) {
  const api = createFakeApi(tasks);
  const user = userEvent.setup();
  const view = renderWithApp(<TasksView userId="user-1" />, { fetch: api.fetch });
  return { api, user, ...view };
}

const card = (title: string) => {
  const heading = screen.getByRole("heading", { name: title });
  const article = heading.closest("article");
  if (!article) throw new Error(`no card for ${title}`);
  return within(article);
};

describe("TasksView", () => {
  it("lists tasks newest first with a counter of tasks left", async () => {
    setup();
    const headings = await screen.findAllByRole("heading", { level: 3 });
    expect(headings.map((h) => h.textContent)).toEqual(["Walk the dog", "Buy milk"]);
    expect(await screen.findByText("2 tasks left")).toBeInTheDocument();
  });

  it("adds a trimmed task on Enter and refuses an empty title", async () => {
    const { api, user } = setup([]);
    const input = await screen.findByRole("textbox", { name: "New task title" });
    await user.type(input, "   {Enter}");
    expect(await screen.findByText("Enter a title.")).toBeInTheDocument();
    expect(api.writes()).toHaveLength(0);

    await user.type(input, "  Call mom  {Enter}");
    expect(await screen.findByRole("heading", { name: "Call mom" })).toBeInTheDocument();
    expect(input).toHaveValue("");
    await waitFor(() => expect(api.writes()).toHaveLength(1));
    expect(api.writes()[0]?.body).toMatchObject({
      title: "Call mom",
      priority: "medium",
      tags: [],
    });
  });

  it("keeps a pasted title over the limit, counts it and refuses it without sending", async () => {
    const { api, user } = setup([]);
    const input = await screen.findByRole("textbox", { name: "New task title" });
    await user.click(input);
    await user.paste("a".repeat(159));
    expect(input).toHaveAccessibleDescription("");
    await user.type(input, "b");
    expect(input).toHaveAccessibleDescription("40 characters left (160/200)");
    await user.paste("c".repeat(41));
    expect(input).toHaveValue(`${"a".repeat(159)}b${"c".repeat(41)}`);
    expect(screen.getByText("1 character too many (201/200)")).toHaveAttribute(
      "aria-live",
      "polite",
    );
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Keep the title to 200 characters: it has 201, 1 too many.",
    );
    expect(input).toHaveValue(`${"a".repeat(159)}b${"c".repeat(41)}`);
    expect(api.writes()).toHaveLength(0);

    await user.keyboard("{Backspace}{Enter}");
    await waitFor(() => expect(api.writes()).toHaveLength(1));
    expect(api.writes()[0]?.body).toMatchObject({ title: `${"a".repeat(159)}b${"c".repeat(40)}` });
  });

  it("shows a toggle at once and rolls it back with a message when the server refuses", async () => {
    const { api, user } = setup();
    const gate = deferred<Response>();
    let refused = false;
    api.override((request) => {
      if (request.method === "PATCH") return gate.promise.finally(() => (refused = true));
      // After the refusal, reads never answer: only the rollback can restore the card.
      return refused ? new Promise<Response>(() => undefined) : undefined;
    });
    await screen.findByText("2 tasks left");
    const checkbox = card("Buy milk").getByRole("checkbox");

    await user.click(checkbox);
    expect(checkbox).toBeChecked(); // optimistic, before the server answers
    expect(screen.getByText("1 task left")).toBeInTheDocument();

    await act(async () => gate.resolve(problem(503, "Service Unavailable")));
    await waitFor(() => expect(card("Buy milk").getByRole("checkbox")).not.toBeChecked());
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Task not updated: The server is busy",
    );
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();
  });

  it("rolls back an optimistic add the server refuses and gives the text back", async () => {
    const { api, user } = setup([]);
    const gate = deferred<Response>();
    let refused = false;
    api.override((request) => {
      if (request.method === "POST") return gate.promise.finally(() => (refused = true));
      // After the refusal, reads never answer: only the rollback can remove the card.
      return refused ? new Promise<Response>(() => undefined) : undefined;
    });
    await screen.findByText("0 tasks left");
    const input = screen.getByRole("textbox", { name: "New task title" });
    await user.type(input, "Bad task{Enter}");
    expect(await screen.findByRole("heading", { name: "Bad task" })).toBeInTheDocument();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
    expect(input).toHaveValue(""); // ready for the next task while this one is saved

    await act(async () => gate.resolve(problem(422, "Unprocessable Content", "title is invalid")));
    expect(await screen.findByRole("alert")).toHaveTextContent("Task not added");
    await waitFor(() =>
      expect(screen.queryByRole("heading", { name: "Bad task" })).not.toBeInTheDocument(),
    );
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();
    await waitFor(() => expect(input).toHaveValue("Bad task"));
  });

  it("lets a task still being added be edited; the edit survives its answer and names its id", async () => {
    const { api, user } = setup([]);
    const gate = deferred<void>();
    api.override(async (request) => {
      if (request.method === "POST") await gate.promise;
      return undefined;
    });
    await screen.findByText("0 tasks left");
    await user.type(screen.getByRole("textbox", { name: "New task title" }), "Draft{Enter}");
    await user.dblClick(await screen.findByRole("heading", { name: "Draft" }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Final");

    await act(async () => gate.resolve());
    await waitFor(() => expect(api.tasks()).toHaveLength(1));
    // The card kept its place and its half-typed edit when the task got its server id.
    expect(screen.getByRole("textbox", { name: "Title" })).toHaveValue("Final");
    await user.type(screen.getByRole("textbox", { name: "Title" }), "{Enter}");
    expect(await screen.findByRole("heading", { name: "Final" })).toBeInTheDocument();
    await waitFor(() => expect(api.writes()).toHaveLength(2));
    expect(api.writes()[1]).toMatchObject({
      method: "PUT",
      path: `/api/user-1/tasks/${api.tasks()[0]?.id}`,
      body: { title: "Final" },
    });
  });

  it("rolls back only the refused toggle, not another one still in flight", async () => {
    const { api, user } = setup();
    const first = deferred<Response>();
    const second = deferred<Response>();
    const gates = [first, second];
    let refused = false;
    api.override((request) => {
      if (request.method === "PATCH") {
        const gate = gates.shift();
        return gate?.promise.finally(() => (refused = true));
      }
      return refused ? new Promise<Response>(() => undefined) : undefined;
    });
    await screen.findByText("2 tasks left");
    await user.click(card("Buy milk").getByRole("checkbox"));
    await user.click(card("Walk the dog").getByRole("checkbox"));
    expect(screen.getByText("0 tasks left")).toBeInTheDocument();

    await act(async () => first.resolve(problem(503, "Service Unavailable")));
    await waitFor(() => expect(card("Buy milk").getByRole("checkbox")).not.toBeChecked());
    expect(card("Walk the dog").getByRole("checkbox")).toBeChecked();
    expect(screen.getByText("1 task left")).toBeInTheDocument();
  });

  it("keeps the list and a half-typed edit when a background refresh fails", async () => {
    const { api, user, queryClient } = setup();
    await user.dblClick(await screen.findByRole("heading", { name: "Buy milk" }));
    await user.type(screen.getByRole("textbox", { name: "Title" }), " and bread");
    api.override((request) =>
      request.method === "GET" ? problem(500, "Internal Server Error") : undefined,
    );
    await act(() => queryClient.refetchQueries({ queryKey: ["tasks"] }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Could not refresh tasks");
    expect(screen.getByRole("textbox", { name: "Title" })).toHaveValue("Buy milk and bread");
    expect(screen.getByRole("heading", { name: "Walk the dog" })).toBeInTheDocument();
  });

  it("searches once typing pauses, not on every key", async () => {
    const { api, user } = setup();
    await screen.findByText("2 tasks left");
    const searches = () => api.requests.filter((r) => r.search.includes("q="));
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "milk");
    expect(searches()).toHaveLength(0);
    await waitFor(() =>
      expect(screen.queryByRole("heading", { name: "Walk the dog" })).not.toBeInTheDocument(),
    );
    expect(searches().map((r) => new URLSearchParams(r.search).get("q"))).toEqual(["milk"]);
  });

  it("shows a total the server capped with a +", async () => {
    const { api, user } = setup();
    await screen.findByText("2 tasks left");
    api.override((request) =>
      request.search.includes("q=")
        ? json([makeTask({ id: 7, title: "Buy milk again" })], 200, { "X-Total-Count": "100+" })
        : undefined,
    );
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "milk");
    expect(await screen.findByText("· 100+ shown")).toBeInTheDocument();
  });

  it("keeps reading a search's pages while they come back empty with a next link", async () => {
    const { api, user } = setup();
    await screen.findByText("2 tasks left");
    api.override((request) => {
      if (!request.search.includes("q=")) return undefined;
      const cursor = new URLSearchParams(request.search).get("cursor");
      if (!cursor)
        return json([], 200, {
          "X-Total-Count": "0+",
          Link: '</api/user-1/tasks?q=ol&cursor=p2>; rel="next"',
        });
      if (cursor === "p2")
        return json([], 200, {
          "X-Total-Count": "0+",
          Link: '</api/user-1/tasks?q=ol&cursor=p3>; rel="next"',
        });
      return json([makeTask({ id: 9, title: "An old task" })], 200, { "X-Total-Count": "0+" });
    });
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "ol");
    expect(await screen.findByRole("heading", { name: "An old task" })).toBeInTheDocument();
    expect(screen.queryByText("No tasks match these filters.")).not.toBeInTheDocument();
    const cursors = api.requests
      .filter((r) => r.search.includes("q="))
      .map((r) => new URLSearchParams(r.search).get("cursor"));
    expect(cursors).toEqual([null, "p2", "p3"]);
  });

  it("says nothing matches when an empty page has no next link", async () => {
    const { user } = setup();
    await screen.findByText("2 tasks left");
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "zzz");
    expect(await screen.findByText("No tasks match these filters.")).toBeInTheDocument();
  });

  it("shows a cleared description at once and keeps a blank title edit open with a message", async () => {
    const gate = deferred<Response>();
    const { api, user } = setup([
      makeTask({ id: 1, title: "Buy milk", description: "Two litres" }),
    ]);
    api.override((request) => (request.method === "PUT" ? gate.promise : undefined));
    await user.click(await screen.findByRole("button", { name: /Edit/ }));
    await user.clear(screen.getByRole("textbox", { name: "Description" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.queryByText("Two litres")).not.toBeInTheDocument(); // before the answer
    expect(api.writes()[0]?.body).toEqual({ description: null });

    await user.click(screen.getByRole("button", { name: /Edit/ }));
    await user.clear(screen.getByRole("textbox", { name: "Title" }));
    await user.click(document.body); // focus leaves the card
    expect(await screen.findByText("Enter a title.")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Title" })).toBeInTheDocument();
    await act(async () => gate.resolve(problem(503, "Service Unavailable")));
  });

  it("edits in place: double-click, Enter saves only what changed, Escape cancels", async () => {
    const { api, user } = setup();
    await user.dblClick(await screen.findByRole("heading", { name: "Buy milk" }));
    const title = screen.getByRole("textbox", { name: "Title" });
    await user.clear(title);
    await user.type(title, "Buy oat milk{Enter}");
    expect(await screen.findByRole("heading", { name: "Buy oat milk" })).toBeInTheDocument();
    await waitFor(() => expect(api.writes()).toHaveLength(1));
    expect(api.writes()[0]).toMatchObject({
      method: "PUT",
      path: "/api/user-1/tasks/1",
      body: { title: "Buy oat milk" },
    });

    await user.click(card("Walk the dog").getByRole("button", { name: /Edit/ }));
    await user.type(screen.getByRole("textbox", { name: "Title" }), " later{Escape}");
    expect(await screen.findByRole("heading", { name: "Walk the dog" })).toBeInTheDocument();
    expect(api.writes()).toHaveLength(1);
  });

  it("deletes at once into the trash, and Undo restores the task with POST …/restore", async () => {
    const { api, user } = setup();
    await screen.findByRole("heading", { name: "Buy milk" });
    await user.click(card("Buy milk").getByRole("button", { name: /Delete/ }));
    expect(screen.queryByRole("heading", { name: "Buy milk" })).not.toBeInTheDocument();
    await waitFor(() =>
      expect(api.writes()).toEqual([
        expect.objectContaining({ method: "DELETE", path: "/api/user-1/tasks/1" }),
      ]),
    );
    expect(api.trash().map((t) => t.title)).toEqual(["Buy milk"]);
    expect(await screen.findByText("Moved “Buy milk” to the trash.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("heading", { name: "Buy milk" })).toBeInTheDocument();
    expect(api.writes().at(-1)).toMatchObject({
      method: "POST",
      path: "/api/user-1/tasks/1/restore",
    });
    expect(api.trash()).toEqual([]);
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();
  });

  it("puts a task back with a message when the server refuses the delete", async () => {
    const { api, user } = setup();
    api.override((request) =>
      request.method === "DELETE" ? problem(503, "Service Unavailable") : undefined,
    );
    await screen.findByRole("heading", { name: "Buy milk" });
    await user.click(card("Buy milk").getByRole("button", { name: /Delete/ }));
    expect(await screen.findByText(/^Task not deleted:/)).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Buy milk" })).toBeInTheDocument();
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();
    expect(api.trash()).toEqual([]);
  });

  it("marks all complete and clears completed", async () => {
    const { api, user } = setup();
    await screen.findByText("2 tasks left");
    expect(screen.getByRole("button", { name: "Clear completed" })).toBeDisabled(); // none yet
    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    expect(await screen.findByText("0 tasks left")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    expect(await screen.findByText("No tasks yet. Add your first one above.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Clear completed" })).toBeDisabled();
    expect(api.tasks()).toHaveLength(0);
  });

  it("counts tasks left right after a delete, and after the server answered", async () => {
    const { api, user } = setup();
    await screen.findByText("2 tasks left");
    await user.click(card("Buy milk").getByRole("button", { name: /Delete/ }));
    expect(screen.getByText("1 task left")).toBeInTheDocument();
    await waitFor(() => expect(api.writes()).toHaveLength(1));
    await waitFor(() => expect(api.requests.at(-1)?.method).toBe("GET"));
    await waitFor(() => expect(screen.getByText("1 task left")).toBeInTheDocument());
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual([
      "Walk the dog",
    ]);
  });

  it("moves focus to the next card after a delete", async () => {
    const { user } = setup();
    await user.click(
      within(await screen.findByRole("article", { name: "Walk the dog" })).getByRole("button", {
        name: /Delete/,
      }),
    );
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("article", { name: "Buy milk" })),
    );
  });

  it("adds one history entry per round of typing in search, so Back undoes it", async () => {
    function Location() {
      const location = useLocation();
      return (
        <button type="button" onClick={() => window.history.back()}>
          Back from {location.search || "start"}
        </button>
      );
    }
    const api = createFakeApi([makeTask({ id: 1, title: "Buy milk" })]);
    const user = userEvent.setup();
    renderWithApp(
      <>
        <TasksView userId="user-1" />
        <Location />
      </>,
      { fetch: api.fetch },
    );
    const search = await screen.findByRole("searchbox", { name: "Search" });
    await user.type(search, "mi");
    await screen.findByRole("button", { name: "Back from ?q=mi" });
    await user.type(search, "lk");
    await screen.findByRole("button", { name: "Back from ?q=milk" });
    await user.click(screen.getByRole("button", { name: /Back from/ }));
    await screen.findByRole("button", { name: "Back from start" });
  });
});

describe("TasksView offline", () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  /** The view with its sync banner, online at first; `network` switches the network off and on. */
  function offlineSetup(
    tasks = [makeTask({ id: 1, title: "Buy milk" }), makeTask({ id: 2, title: "Walk the dog" })],
  ) {
    const api = createFakeApi(tasks);
    const network = createNetwork(api.fetch);
    const user = userEvent.setup();
    const view = renderWithApp(
      <>
        <SyncStatus />
        <TasksView userId="user-1" />
      </>,
      { fetch: network.fetch },
    );
    // As in the app: queries refetch once the outbox is sent, not as soon as the network is back.
    stops.push(followOfflineWrites(view.offlineWrites), view.offlineWrites.start());
    const sent = () =>
      api
        .writes()
        .map((r) => `${r.method} ${r.path} ${r.headers.get("Idempotency-Key") ?? ""}`.trim());
    return { api, network, user, sent, ...view };
  }

  const titles = () =>
    screen.getAllByRole("heading", { level: 3 }).map((heading) => heading.textContent);

  it("offers Undo after an offline delete: the task is back at once, and the restore follows the delete", async () => {
    const { api, network, user, sent } = offlineSetup();
    await screen.findByText("2 tasks left");
    network.setOnline(false);
    await user.click(card("Buy milk").getByRole("button", { name: /Delete/ }));
    expect(
      await screen.findByText(
        "Deleted “Buy milk”: it moves to the trash when you are back online.",
      ),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Undo" }));

    expect(await screen.findByRole("heading", { name: "Buy milk" })).toBeInTheDocument();
    expect(titles()).toEqual(["Walk the dog", "Buy milk"]);
    expect(screen.getByText("2 tasks left")).toBeInTheDocument();
    expect(
      await screen.findByText("You are offline. 2 changes will be sent when you reconnect."),
    ).toBeInTheDocument();
    expect(sent()).toEqual([]);

    network.setOnline(true);
    await waitFor(() =>
      expect(sent()).toEqual([
        "DELETE /api/user-1/tasks/1",
        expect.stringMatching(/^POST \/api\/user-1\/tasks\/1\/restore [\w-]{36}$/),
      ]),
    );
    await waitFor(() => expect(screen.queryByText(/^You are offline|^Sending/)).toBeNull());
    expect(api.trash()).toEqual([]);
    expect(api.tasks().map((t) => t.title)).toEqual(["Walk the dog", "Buy milk"]);
    expect(titles()).toEqual(["Walk the dog", "Buy milk"]);
  });

  it("marks all complete and clears completed offline, then sends both with their keys", async () => {
    const { api, network, user, sent } = offlineSetup();
    await screen.findByText("2 tasks left");
    network.setOnline(false);
    await user.click(screen.getByRole("button", { name: "Mark all complete" }));
    expect(await screen.findByText("0 tasks left")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    expect(await screen.findByText("No tasks yet. Add your first one above.")).toBeInTheDocument();
    expect(
      await screen.findByText(
        "Completed tasks cleared: they move to the trash when you are back online.",
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText("You are offline. 2 changes will be sent when you reconnect."),
    ).toBeInTheDocument();
    expect(screen.queryByText(/not completed|not cleared/)).toBeNull();
    expect(sent()).toEqual([]);

    network.setOnline(true);
    await waitFor(() => expect(screen.queryByText(/^You are offline|^Sending/)).toBeNull());
    expect(sent()).toEqual([
      expect.stringMatching(/^POST \/api\/user-1\/tasks\/complete-all [\w-]{36}$/),
      expect.stringMatching(/^DELETE \/api\/user-1\/tasks\/completed [\w-]{36}$/),
    ]);
    expect(api.writes()[0]?.body).toEqual({ completed: true });
    expect(api.tasks()).toEqual([]);
    expect(
      api
        .trash()
        .map((t) => t.title)
        .sort(),
    ).toEqual(["Buy milk", "Walk the dog"]);
    expect(await screen.findByText("No tasks yet. Add your first one above.")).toBeInTheDocument();
  });
});
