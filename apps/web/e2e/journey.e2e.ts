import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  eventually,
  expectNoSeriousA11yViolations,
  launchChromium,
  openPage,
  screenshot,
  signIn,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

describe.skipIf(skipReason !== "")("a new user's journey", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("signs up, manages tasks, signs out and finds the same tasks after signing in again", async () => {
    const { page, context, assertClean, allowHttpErrors } = await openPage(browser);
    const email = uniqueEmail("journey");
    const yesterday = new Date(Date.now() - 86_400_000);
    const yesterdayInput = `${yesterday.getFullYear()}-${String(yesterday.getMonth() + 1).padStart(2, "0")}-${String(yesterday.getDate()).padStart(2, "0")}`;

    // Signed out: the app sends visitors to sign in.
    await page.goto("/");
    await page.waitForURL("**/sign-in");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await expectNoSeriousA11yViolations(page, "sign-in");
    await screenshot(page, "sign-in-light-desktop");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create your account" }).waitFor();
    await expectNoSeriousA11yViolations(page, "sign-up");

    // A weak password is refused with a clear message, before anything is sent.
    await page.getByLabel("Name").fill("Journey User");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByText("Use at least 8 characters.").waitFor();
    await expectNoSeriousA11yViolations(page, "sign-up with errors");

    await page.getByLabel("Password").fill("correct-horse-1");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    await page.getByText("No tasks yet. Add your first one above.").waitFor();

    // Three tasks; the first with every optional field, due yesterday (overdue).
    const title = page.getByRole("textbox", { name: "New task title" });
    await page.getByRole("button", { name: "More options" }).click();
    const addForm = page.getByRole("form", { name: "Add a task" });
    await addForm.getByLabel("Description").fill("Two litres, semi-skimmed");
    await addForm.getByLabel("Priority").selectOption("high");
    await addForm.getByLabel("Tags").fill("home, shop");
    await addForm.getByLabel("Due date").fill(yesterdayInput);
    await title.fill("  Buy milk  ");
    await title.press("Enter");
    await page.getByRole("heading", { name: "Buy milk", exact: true }).waitFor();
    await page.getByRole("button", { name: "Fewer options" }).click();
    await addForm.getByLabel("Priority").waitFor({ state: "detached" });
    await addTask(page, "Write report");
    await addTask(page, "Call mom");
    // Empty titles are refused.
    await title.fill("   ");
    await title.press("Enter");
    await page.getByText("Enter a title.").waitFor();

    await eventually(() => taskTitles(page)).toEqual(["Call mom", "Write report", "Buy milk"]);
    await page.getByText("3 tasks left").waitFor();
    const milk = page.locator("article", { has: page.getByRole("heading", { name: "Buy milk" }) });
    await milk.getByText("Overdue:").waitFor();
    await milk.getByText("#shop").waitFor();
    await milk.getByText("Two litres, semi-skimmed").waitFor();
    await milk.getByText("high priority").waitFor();

    // Edit in place: double-click the title, Enter saves.
    await page.getByRole("heading", { name: "Write report" }).dblclick();
    const editTitle = page.getByRole("textbox", { name: "Title", exact: true });
    await editTitle.fill("Write quarterly report");
    await editTitle.press("Enter");
    await page.getByRole("heading", { name: "Write quarterly report" }).waitFor();
    // Escape cancels.
    await page.getByRole("button", { name: "Edit “Call mom”" }).click();
    await editTitle.fill("Call dad");
    await editTitle.press("Escape");
    await page.getByRole("heading", { name: "Call mom" }).waitFor();

    // Toggle.
    const callMomDone = page.getByRole("checkbox", { name: "Done: “Call mom”" });
    await callMomDone.click();
    await eventually(() => callMomDone.isChecked()).toBe(true);
    await page.getByText("2 tasks left").waitFor();

    // Status filter lives in the URL: reload keeps it, back returns to all.
    await page.getByRole("button", { name: "Completed", exact: true }).click();
    await page.waitForURL("**/?status=completed");
    await eventually(() => taskTitles(page)).toEqual(["Call mom"]);
    await page.reload();
    await eventually(() => taskTitles(page)).toEqual(["Call mom"]);
    expect(
      await page
        .getByRole("button", { name: "Completed", exact: true })
        .getAttribute("aria-pressed"),
    ).toBe("true");
    await page.goBack();
    await eventually(() => taskTitles(page)).toEqual([
      "Call mom",
      "Write quarterly report",
      "Buy milk",
    ]);
    await page.getByRole("button", { name: "Pending" }).click();
    await eventually(() => taskTitles(page)).toEqual(["Write quarterly report", "Buy milk"]);
    await page.getByRole("button", { name: "All", exact: true }).click();

    // Search as you type (debounced), kept in the URL.
    await page.getByRole("searchbox", { name: "Search" }).fill("milk");
    await page.waitForURL("**/?q=milk");
    await eventually(() => taskTitles(page)).toEqual(["Buy milk"]);
    await page.getByRole("searchbox", { name: "Search" }).fill("");
    await eventually(() => taskTitles(page)).toHaveLength(3);

    // Priority filter and sort.
    await page.getByLabel("Priority").selectOption("high");
    await eventually(() => taskTitles(page)).toEqual(["Buy milk"]);
    await page.getByLabel("Priority").selectOption("");
    await page.getByLabel("Sort by").selectOption("title");
    await eventually(() => taskTitles(page)).toEqual([
      "Buy milk",
      "Call mom",
      "Write quarterly report",
    ]);
    await page.getByLabel("Sort by").selectOption("created");

    await expectNoSeriousA11yViolations(page, "task list");
    await screenshot(page, "tasks-light-desktop");

    // Delete, then undo: the task comes back and nothing was deleted on the server.
    await page.getByRole("button", { name: "Delete “Buy milk”" }).click();
    await page.getByRole("heading", { name: "Buy milk" }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByRole("heading", { name: "Buy milk" }).waitFor();
    await page.reload();
    await eventually(() => taskTitles(page)).toEqual([
      "Call mom",
      "Write quarterly report",
      "Buy milk",
    ]);

    // Sign out, then sign in again (wrong password first).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    await allowHttpErrors([401], async () => {
      await signIn(page, email, "wrong-password-1");
      await page.getByText("Wrong email or password.").waitFor();
    });
    await signIn(page, email);
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    await eventually(() => taskTitles(page)).toEqual([
      "Call mom",
      "Write quarterly report",
      "Buy milk",
    ]);
    expect(await page.getByRole("checkbox", { name: "Done: “Call mom”" }).isChecked()).toBe(true);

    // The session survives a reload.
    await page.reload();
    await eventually(() => taskTitles(page)).toHaveLength(3);

    assertClean();
    await context.close();
  });
});
