import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  eventually,
  launchChromium,
  openPage,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

// The trash (API decision 039) in a real browser: a delete goes out at once, the toast's Undo
// restores it, the Trash view restores another; the server is asked what it holds.

/** The server's live tasks and trash, read with the page's session. */
const serverState = (page: Page) =>
  page.evaluate(async () => {
    const session = await (await fetch("/api/auth/get-session")).json();
    const { token } = await (await fetch("/api/auth/token")).json();
    const read = async (path: string) =>
      (
        (await (
          await fetch(`/api/${session.user.id}${path}`, {
            headers: { Authorization: `Bearer ${token}` },
          })
        ).json()) as { title: string }[]
      )
        .map((task) => task.title)
        .sort();
    return { tasks: await read("/tasks"), trash: await read("/trash") };
  });

describe.skipIf(skipReason !== "")("the trash", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("undoes a delete from the toast, restores another from the Trash view, and shows a task's history", async () => {
    const { page, context, assertClean } = await openPage(browser);
    await signUp(page, "Trasher", uniqueEmail("trash"));
    await addTask(page, "Keep me");
    await addTask(page, "Undo me");
    await addTask(page, "Restore me");

    // The DELETE goes out at once (no undo window held in the page), and Undo sends a restore.
    const deleted = page.waitForResponse(
      (r) => r.request().method() === "DELETE" && r.status() === 204,
    );
    await page.getByRole("button", { name: "Delete “Undo me”" }).click();
    await deleted;
    await eventually(() => serverState(page)).toEqual({
      tasks: ["Keep me", "Restore me"],
      trash: ["Undo me"],
    });
    const restored = page.waitForResponse(
      (r) => r.request().method() === "POST" && r.url().endsWith("/restore") && r.status() === 200,
    );
    await page.getByRole("button", { name: "Undo" }).click();
    await restored;
    await eventually(() => taskTitles(page)).toEqual(["Restore me", "Undo me", "Keep me"]);
    await page.getByText("3 tasks left").waitFor();

    // Another one goes to the trash and stays there until restored from the Trash view.
    await page.getByRole("button", { name: "Delete “Restore me”" }).click();
    await page.getByText("2 tasks left").waitFor();
    await page.getByRole("link", { name: "Trash" }).click();
    await page.waitForURL("**/trash");
    await page.getByRole("heading", { name: "Restore me" }).waitFor();
    await page.getByRole("button", { name: "Restore “Restore me”" }).click();
    await page.getByText("The trash is empty.").waitFor();
    await eventually(() => serverState(page)).toEqual({
      tasks: ["Keep me", "Restore me", "Undo me"],
      trash: [],
    });

    await page.getByRole("link", { name: "Tasks" }).click();
    await eventually(() => taskTitles(page)).toEqual(["Restore me", "Undo me", "Keep me"]);
    await page.getByText("3 tasks left").waitFor();

    // Its history tells the story, read from the server when opened.
    const card = page.getByRole("article", { name: "Restore me" });
    await card.getByText("History").click();
    await card.getByText("Moved to the trash").waitFor();
    expect(await card.locator(".history-list > li > strong").allTextContents()).toEqual([
      "Created",
      "Moved to the trash",
      "Restored",
    ]);

    // Delete forever from the Trash view: gone from the server for good.
    await page.getByRole("button", { name: "Delete “Keep me”" }).click();
    await page.getByRole("link", { name: "Trash" }).click();
    await page.getByRole("button", { name: "Delete “Keep me” forever" }).click();
    await page.getByText("The trash is empty.").waitFor();
    await eventually(() => serverState(page)).toEqual({
      tasks: ["Restore me", "Undo me"],
      trash: [],
    });
    assertClean();
    await context.close();
  });
});
