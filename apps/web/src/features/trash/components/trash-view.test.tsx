import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { TaskHistory } from "@/features/history/components/task-history";
import { createFakeApi, makeTask } from "@/test/fake-api";
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
